# Common texts, login, first-run set-up, menu.
language = Language
logout = Log out
dismiss = Close
cancel = Cancel
yes = yes
ago = { $days ->
        [0] { $hours ->
                [0] { $minutes ->
                        [0] just now
                       *[other] { $minutes } min ago
                    }
               *[other] { $hours } h { $minutes } min ago
            }
       *[other] { $days } d { $hours } h ago
    }
file-written = File saved: { $path }
filter-all = (All)

login-title = Log in
login-warning = Unlawful use of a third party's credentials is punishable under the law of the Republic of Kazakhstan.
login-login = Login
login-password = Password
login-submit = Log in
login-throttled = Too many failed login attempts. Try again in { $seconds } s.

setup-title = Kiosk set-up
setup-intro = This kiosk is not set up yet: choose its district, name it and create the first administrator.
setup-district = District or city
setup-kiosk-name = Kiosk name (office, desk)
setup-admin = First administrator
setup-admin-login = Administrator login
setup-admin-name = Administrator full name
setup-admin-password = Administrator password
setup-admin-password-again = Password again
setup-password-mismatch = The passwords differ
setup-choose-district = Choose a district or city
setup-submit = Save set-up
setup-done = The kiosk is set up. Log in as the administrator.

nav-register = New application
nav-journal = Applications journal
nav-card = Application card
nav-staff = Kindergarten staff desk
nav-sync = Synchronisation
nav-admin = Administration
nav-stats = Statistics

status-pending = Not yet sent to the center: { $count }
status-last-sync = Last sync: { $at } ({ $ago })
status-never-synced = Never synchronised
status-syncing = Synchronising with the center…
status-sync-failed = No connection to the center (attempt { $at })
status-now = Kiosk time: { $now }
