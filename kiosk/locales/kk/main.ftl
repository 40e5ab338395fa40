# Жалпы мәтіндер, кіру, алғашқы баптау, мәзір.
language = Тіл
logout = Шығу
dismiss = Жабу
cancel = Болдырмау
yes = иә
ago = { $days ->
        [0] { $hours ->
                [0] { $minutes ->
                        [0] жаңа ғана
                       *[other] { $minutes } мин бұрын
                    }
               *[other] { $hours } сағ { $minutes } мин бұрын
            }
       *[other] { $days } күн { $hours } сағ бұрын
    }
file-written = Файл сақталды: { $path }
filter-all = (Барлығы)

login-title = Жүйеге кіру
login-warning = Тіркелу және авторизациялау кезінде үшінші тұлғаның тіркелгі деректерін заңсыз пайдалану ҚР заңнамасына сәйкес жауапкершілікке әкеп соғады.
login-login = Логин
login-password = Құпиясөз
login-submit = Кіру
login-throttled = Кіру әрекеттері тым көп рет сәтсіз болды. { $seconds } с кейін қайталаңыз.

setup-title = Киоскіні алғашқы баптау
setup-intro = Киоск әлі бапталмаған: ауданды, киоск атауын және бірінші әкімшіні көрсетіңіз.
setup-district = Аудан немесе қала
setup-kiosk-name = Киоск атауы (бөлім, терезе)
setup-admin = Бірінші әкімші
setup-admin-login = Әкімшінің логині
setup-admin-name = Әкімшінің аты-жөні
setup-admin-password = Әкімшінің құпиясөзі
setup-admin-password-again = Құпиясөзді қайталаңыз
setup-password-mismatch = Құпиясөздер сәйкес келмейді
setup-choose-district = Ауданды немесе қаланы таңдаңыз
setup-submit = Баптауды сақтау
setup-done = Киоск бапталды. Әкімші ретінде кіріңіз.

nav-register = Кезекке қою
nav-journal = Өтініштер журналы
nav-card = Өтініш карточкасы
nav-staff = МДҰ қызметкерінің жұмыс кабинеті
nav-sync = Синхрондау
nav-admin = Әкімшілік ету
nav-stats = Статистиканы қарау

status-pending = Орталыққа жіберілмеген: { $count }
status-last-sync = Соңғы синхрондау: { $at } ({ $ago })
status-never-synced = Синхрондау әлі болған жоқ
status-syncing = Орталықпен синхрондау жүріп жатыр…
status-sync-failed = Орталықпен байланыс жоқ (әрекет { $at })
status-now = Киоск уақыты: { $now }
