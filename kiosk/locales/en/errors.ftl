# The kiosk's error messages, one per error code (`Localized::code`). The rules' own errors
# keep their built-in texts (rules crate); a code shared by several errors selects on a variable.

## Setting up and opening the kiosk

ALREADY_INITIALIZED = { $dir } already holds a kiosk; it is not set up again.
INCOMPLETE_INIT = { $dir } holds an unfinished kiosk setup. Move the folder elsewhere and run init again.
UNKNOWN_DISTRICT = District { $code } is not in the district directory
BAD_KIOSK_ID = Bad kiosk id { $id }: expected “{ $district }-” and 2–4 digits, e.g. { $district }-03
BAD_KIOSK_NAME = The kiosk name is empty or too long (at most 200 characters)
KEY_ERROR = Could not create the kiosk's signing key: { $detail }
DATA_LOCKED = The data folder { $dir } is in use by another kezek-kiosk process. Close it and try again.
NOT_INITIALIZED = There is no kiosk in { $dir }. Create one with `init`.
IDENTITY_UNREADABLE = kiosk.json cannot be read ({ $detail }). Restore it from a backup.
KEY_UNREADABLE = The kiosk's signing key cannot be read ({ $detail }). Restore kiosk.key from a backup.
KEY_MISMATCH = kiosk.key does not match the kiosk's public key. Put the original key file back.
LOG_MISSING = The kiosk's log (log/entries.bin) is missing or empty. Restore it from a backup; do not start a new log.
KEY_PASSPHRASE_REQUIRED = The kiosk's key is encrypted: give its passphrase (--key-passphrase-file or KEZEK_KEY_PASSPHRASE).
KEY_WRONG_PASSPHRASE = Wrong passphrase for the kiosk's key, or kiosk.key was altered.
KEY_PASSPHRASE_UNREADABLE = The key passphrase file cannot be read ({ $detail }).
KEY_EMPTY_PASSPHRASE = The key passphrase is empty.

## Accounts and logging in

ADMIN_ONLY = { $task ->
        [center-key] Only the kiosk administrator sets the center's key
        [key] Only an administrator replaces the kiosk's key
        [demo] Only an administrator loads the demo data
       *[accounts] Only an administrator manages accounts
    }
BAD_LOGIN = Bad login “{ $login }”: 2–32 characters, lowercase latin letters, digits, dot, dash, underscore
BAD_OPERATOR_NAME = The operator's name is empty or too long (at most 200 characters)
WEAK_PASSWORD = The password must have { $min } to 256 characters
LOGIN_FAILED = Wrong login or password
OPERATOR_DISABLED = Account { $login } has been disabled by an administrator
LOGIN_THROTTLED = Too many failed login attempts. Try again in { $seconds } s
LOGIN_TAKEN = Login { $login } is taken (logins are never reused, even after an account is disabled)
UNKNOWN_OPERATOR = No account { $login }
ALREADY_DISABLED = Account { $login } is already disabled
CANNOT_DISABLE_SELF = An administrator cannot disable their own account
LAST_ADMIN = The last active administrator cannot be disabled
ROLE_NOT_FOR_KIOSK = The role “{ $role }” is not used at a kiosk. Available: operator, kindergarten, admin
KINDERGARTENS_REQUIRED = Kindergarten staff need at least one kindergarten (--kindergarten)
KINDERGARTENS_NOT_ALLOWED = Only kindergarten staff are bound to kindergartens
UNKNOWN_KINDERGARTEN = Kindergarten { $id } is not in the directory
PASSWORD_HASH_FAILED = Could not hash the password: { $detail }

## Commands

BAD_JSON = The line is not JSON: { $detail }
UNKNOWN_COMMAND = Unknown command “{ $name }”. Available: register, addPlaces, act
UNKNOWN_ACTION = Unknown action “{ $name }”
INVALID_COMMAND = The command is not filled in correctly: { $detail }
CENTER_ONLY = “{ $command }” is not done at a kiosk but at the center ({ $role })
WRONG_ROLE = “{ $command }” is for the role “{ $required }”; your role is “{ $role }”
NOT_YOUR_KINDERGARTEN = Kindergarten { $kindergarten } is not assigned to your account
ID_ASSIGNED_BY_KIOSK = Application and places record numbers are assigned by the kiosk: leave `id` out
NO_DIRECTORY = The kindergarten directory comes with the first sync with the center: until then applications can be registered; places and kindergarten choices wait for it
SESSION_REVOKED = Account { $login } has been disabled: log in with another account
RESTART_REQUIRED = { $failed ->
        [earlier] An earlier write to disk failed: restart the kiosk, then try again.
       *[now] A write failed and could not be undone. Nothing was confirmed as saved. Restart the kiosk program: the log is checked at start.
    }
DEMO_NOT_EMPTY = The kiosk already holds applications or places: demo data is loaded into a new kiosk only

## Lookups and sync

NOT_FOUND = Nothing found: { $what }
PROJECTION_CORRUPT = The lookup data is damaged ({ $detail }). Delete the db folder in the data folder: it is rebuilt from the log at start.
ACK_BEYOND_LOG = The center acknowledged entry { $seq } but the kiosk's log ends at { $last }: the log may have been restored from an old copy. Contact the center's administrator.
FORK = The center's entry { $seq } differs from this kiosk's: the kiosk's log has forked from the center's (e.g. restored from an old copy). Enter nothing new and contact the center's administrator.
EXPORT_WRITE_FAILED = Could not write { $path }: { $detail }
WRONG_DISTRICT = The center's snapshot is of district { $found }, but this kiosk works in { $expected }: not taken.
OLDER_SNAPSHOT = This center snapshot ({ $offered }) is older than the one already loaded ({ $kept }): not taken. Get a fresh one.

## Storage and the log

DISK_FULL = The disk is full; nothing was saved ({ $operation }). Free some disk space and try again.
STORAGE_ERROR = Storage error ({ $operation }): { $detail }
LOG_DAMAGED = The kiosk's log is damaged from entry { $seq } on ({ $reason }). Entries 1–{ $good } are intact and can still be viewed and exported; no new entries are accepted. What to do: do not delete or edit the data folder, make a copy of it, export the intact entries with `export` and contact the center's administrator.

## The center

CENTER_KEY_NOT_SET = The center's public key is not set. Run: center set --url URL --key HEX
CENTER_URL_NOT_SET = No center URL: center set --url URL or push --url URL
BAD_CENTER_KEY = Bad center key (expected 64 hex characters): { $detail }
CENTER_CONFIG = Could not read or write the center settings { $path }: { $detail }
CENTER_UNREACHABLE = The center is unreachable ({ $attempts } attempts: { $last }). The data is kept on the kiosk and will be sent later. { $since ->
        [days] Last successful sync: { $at } ({ $days } days ago).
        [at] Last successful sync: { $at }.
       *[never] The kiosk has never synced with the center.
    }
CENTER_REFUSED = The center refused ({ $status } { $code }): { $message }
BAD_CENTER_URL = Bad center URL: { $detail }
TLS_CERT_REJECTED = { $trust ->
        [pinned] The center's certificate is not the one this kiosk trusts ({ $detail }). Nothing was sent; the data stays on the kiosk. Check the center's address and the pinned certificate: center set --pin-cert FILE (the certificate from the center's administrator)
        [ca] The center's certificate is not issued by the CA this kiosk trusts ({ $detail }). Nothing was sent; the data stays on the kiosk. Check the center's address and the CA file: center set --ca-file FILE
       *[web-roots] The center's certificate is not issued by a public CA ({ $detail }). Nothing was sent; the data stays on the kiosk. Set the center's certificate (center set --pin-cert FILE) or its CA (center set --ca-file FILE)
    }
CENTER_URL_NOT_HTTPS = A certificate is set for the center (center set --pin-cert or --ca-file), but the address { $url } does not start with https://. Nothing was sent. Give an https:// address (center set --url) or remove the certificate check: center set --clear-tls
TLS_TRUST_FILE = The certificate file { $path } cannot be used: { $detail }
BAD_ACK = The center's acknowledgement failed verification and was not applied: { $detail }
BAD_SNAPSHOT = The district snapshot failed verification and was not kept: { $detail }
WRONG_KIOSK = The file is for { $found }; this kiosk is { $expected }
READ_FAILED = Cannot read { $path }: { $detail }

# The GUI's own errors.
SYNC_WORKER_STOPPED = The upload stopped. The data is kept on the kiosk; sync again
APPLICATION_NOT_FOUND = No application found
FILE_WRITE = Could not write the file: { $detail }
KIOSK_NOT_SET_UP = The kiosk is not set up yet
SYNC_NO_URL = Enter the center's address
SYNC_RUNNING = A synchronisation is already running
NOT_LOGGED_IN = Please log in
OPERATOR_ROLE = Choose a role
OPERATOR_ENABLE = A disabled account cannot be enabled again: create a new one
SYNC_PERIOD = The automatic sync period is at most { $max } minutes
SETTINGS_WRITE = Could not save the settings { $path }: { $detail }
