# The center's errors (center/src/service/errors/), keyed by error code: `center-CODE`. A code
# that says different things selects on `$reason` (SETUP, INVALID_ARGUMENT) or `$what`
# (NOT_FOUND). The rules', the population registry's and the store's errors have their own
# texts. $detail: what the system or the parser said, as it said it.

center-SETUP = { $reason ->
        [file] The center cannot read or write { $path }: { $detail }
        [initialised] { $path } exists: a center is set up in this folder already
        [not-initialised] { $path } is missing: set the center up first (kezek-center init)
        [directory] The kindergarten directory is not valid: { $detail }
        [new-key] The center's key pair could not be made: { $detail }
        [center-key] The data folder's center.pub is not a public key: { $detail }
        [kiosk-key] The stored public key of kiosk { $kiosk } does not read: { $detail }
        [randomness] The operating system gives no randomness: { $detail }
        [password-hash] The password could not be hashed: { $detail }
        [key-not-placed] The parents' channel's key could not be put in place as { $path }: { $detail }
        [folder-not-synced] The folder of { $path } could not be synced to disk: { $detail }
        [channel-key] The parents' channel is registered with another key than { $file } holds: restore the original { $file }
        [no-districts] The center has no districts: import the kindergarten directory first
       *[other] The center could not set itself up
    }
center-INVALID_ARGUMENT = { $reason ->
        [login] Login “{ $login }”: 1 to 64 of the characters A–Z a–z 0–9 - _ .
        [name] The name must have 1 to 200 characters
        [login-taken] The login { $login } is taken
        [weak-password] The password must have at least { $min } characters
        [kiosk-id] Kiosk id “{ $id }”: 1 to 64 of the characters A–Z a–z 0–9 - _ . and not “center” or “WEB”
        [kiosk-registered] Kiosk { $id } is registered already
        [public-key] This is not a public key: { $detail }
        [weak-key] This public key is weak: make the kiosk's key again
        [duplicate-kindergarten] Kindergarten { $id } is in the file twice
        [decided] Review item { $id } is decided already ({ $status ->
            [upheld] upheld
           *[overruled] overruled
        })
        [clock-overrule] A clamped kiosk time cannot be overruled, only upheld
        [nothing-to-apply] The refused entry has no command to apply
        [database-not-empty] The database { $url } holds { $entries } entries already: migrate into an empty database
        [encoding] The document could not be written: { $detail }
       *[other] The request is not valid
    }
center-NOT_FOUND = { $what ->
        [account] There is no account { $id }
        [review-item] There is no review item { $id }
        [quarantine] Kiosk { $id } has no quarantined entries after its head { $head }
       *[other] Not found: { $id }
    }
center-UNKNOWN_KIOSK = No kiosk { $kiosk } is registered
center-UNKNOWN_DISTRICT = There is no district { $district }
center-UNAUTHORIZED = Kiosk { $kiosk } does not serve district { $district }
center-BAD_CREDENTIALS = Wrong login or password
center-BAD_SCHEDULE = The schedule file { $path } is not valid: { $detail }
# $code: the key error's own code.
center-KEY = { $code ->
        [KEY_PASSPHRASE_REQUIRED] The center's key file is encrypted: give its passphrase (--key-passphrase-file or KEZEK_KEY_PASSPHRASE)
        [KEY_WRONG_PASSPHRASE] Wrong passphrase of the center's key, or the key file was altered
        [KEY_EMPTY_PASSPHRASE] The key's passphrase is empty
        [BAD_PUBLIC_KEY] This is not a public key: { $detail }
       *[other] The key file cannot be read ({ $detail }): restore it from a backup
    }

## An upload refused as a whole

center-BAD_BUNDLE = This is not a readable bundle of a kiosk's log: { $detail }
center-KIOSK_MISMATCH = The bundle belongs to kiosk { $found }, not { $expected }
center-REVOKED_KIOSK = Kiosk { $kiosk } is revoked
center-UNAUTHENTICATED = The first entry (number { $seq }) of kiosk { $kiosk } does not verify against its registered key
center-INTERNAL = Something failed inside the center; nothing of the upload was stored ({ $detail })

# The staff API's session checks (center/src/staff_api/caller.rs).
center-SIGN_IN_REQUIRED = Sign in first.
center-SESSION_EXPIRED = The session is unknown or expired: sign in again.
center-CSRF = The request lacks this session's anti-forgery token: reload the page.
# $seconds: the wait before the next attempt.
center-LOGIN_THROTTLED = Too many failed sign-ins: try again in { $seconds } s.
center-STORE_UNAVAILABLE = Signing in is unavailable for a moment: the database cannot be reached. Try again in a minute.
