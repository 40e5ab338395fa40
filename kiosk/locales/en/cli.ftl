# The command line's words (kezek-kiosk without the GUI). Error messages are in errors.ftl.

## Errors, warnings, usage

cli-error = error
cli-warning = warning
cli-give-data = Give the data folder: --data DIR
cli-password-file-unreadable = Cannot read the password file: { $path }: { $detail }
cli-no-password = No password: set it in the environment variable { $env } or use --password-file (passwords are not taken on the command line)
cli-torn-tail = Note: an unfinished append at the end of the log ({ $bytes } bytes) was dropped; it had never been reported as saved.
cli-center-set-usage = Give --url, --key, --ca-file, --pin-cert or --clear-tls
cli-input-unreadable = cannot read input

## init, operator

cli-kiosk-created = Kiosk created.
cli-kiosk-id = Kiosk id
cli-public-key = Public key
cli-fingerprint = Fingerprint
cli-administrator = Administrator
cli-data-folder = Data folder
cli-register-at-center = Give the kiosk id, public key and fingerprint to the center's administrator to register the kiosk.
cli-account-created = Account { $login } created (log entry { $seq }).
cli-account-disabled = Account { $login } disabled (log entry { $seq }).
cli-login = Login
cli-name = Name
cli-role = Role
cli-kindergartens = Kindergartens
cli-state = State
cli-added = Added
cli-active = active
cli-disabled = disabled

## find, journal, card

cli-reg-number = Registration number
cli-registered = Registered
cli-queue = Queue
cli-child = Child
cli-iin = IIN
cli-position = Position
cli-status = Status
cli-total = Total
cli-birth-date = Birth date
cli-right = Right
cli-queue-position = Queue position
cli-direction = Direction
cli-archive-reason = Archive reason
cli-app-warning = Warning
cli-applicant = Applicant
cli-address = Address
cli-confirm-by = Confirm by
cli-choose-by = Choose by
cli-restore-by = Restore by
cli-provisional = provisional calendar: no decree for that year yet
cli-allowed-actions = Allowed actions
cli-history = History
cli-kiosk-word = kiosk
cli-by = by

## status, verify, export, demo-load

cli-kiosk = Kiosk
cli-key-fingerprint = Key fingerprint
cli-log-entries = Log entries
cli-acknowledged = Acknowledged by the center
cli-pending = Pending upload
cli-last-sync = Last sync
cli-days-ago = days ago
cli-never = never
cli-log = Log
cli-healthy = healthy
cli-dropped-append = Dropped unfinished append
cli-bytes = bytes
cli-projections = Projections
cli-applications = Applications
cli-places-records = places records
cli-active-accounts = active accounts
cli-rejected-on-replay-entries = Entries rejected on replay
cli-offline-conflicts = Offline conflicts with the center's latest snapshot (the center decides)
cli-open-time = Open time
cli-valid-entries = Entries with valid signature and chain
cli-rejected-on-replay = Rejected on replay
cli-projection-mismatches = Projection mismatches
cli-verified = Verified: OK
cli-not-verified = Verification FAILED
cli-exported = Exported { $entries } entries ({ $range }) to { $path } ({ $bytes } bytes).
cli-export-left = Left for a next export (bundle limits)
cli-demo-loaded = Demo data loaded: { $registered } applications, { $places } places records, { $rejected } rejected (log entries { $first }–{ $last }).

## demo

cli-demo-kiosk = Demo kiosk
cli-demo-title = demo kiosk
cli-demo-logins = Demo logins
cli-demo-created = The demo kiosk was created and filled with the demo data.
cli-demo-reused = The demo kiosk was already in this folder: reusing it.
cli-demo-applications-loaded = Applications loaded
cli-demo-log-entries = log entries
cli-demo-journal-head = Journal: the first 10 rows
cli-demo-total = total
cli-demo-reg-number = Reg. number
cli-demo-position = Pos.
cli-demo-card = Application card
cli-demo-queue-position = Queue position (kiosk)
cli-demo-confirm-voucher-by = Confirm the voucher by
cli-demo-choose-by = Choose a kindergarten by
cli-demo-allowed-actions = Allowed actions (rules)
cli-demo-until = until
cli-demo-change-log = Change log
cli-demo-log-check = Log verification
cli-demo-problems = PROBLEMS
cli-demo-replay-problems = replay problems
cli-demo-projection-mismatches = projection mismatches
cli-demo-log-failed = The log failed verification
cli-demo-no-gui = This build has no GUI (feature gui)
