# The parents' channel: errors of /v1/parent/…, keyed by error code (center/src/parents/).

parent-NOT_IN_REGISTRY = The population registry does not confirm that the child with IIN { $child } is yours. Bring the documents to the education department.
# $minutes: whole minutes to wait.
parent-THROTTLED = Too many codes. Try again in { $minutes } min.
parent-NO_CODE = No code was asked for, or it was used. Ask for a new code.
parent-STORE_UNAVAILABLE = Signing in is unavailable for a moment. Try again in a minute.
parent-CODE_EXPIRED = The code's 5 minutes are over. Ask for a new code.
# $n: tries left.
parent-WRONG_CODE = Wrong code. Tries left: { $n }.
# The notifier's error code is the answer's code.
parent-NOT_SENT = The code could not be sent. Try again later.
parent-CONTRACT_MISMATCH = The contract text has changed. Open the contract again and sign it.
parent-NOT_FOUND = Not found: { $what }.
parent-INVALID = The request is not valid: { $why }
# The code of the ingest's or the fold's refusal is the answer's code.
parent-REFUSED = The center did not accept the action: { $why }
# $why: the center's error code.
parent-CENTER = The center could not do this ({ $why }). Try again later.
parent-PARENTS_DISABLED = The parents' channel is not enabled on this server.
parent-UNAUTHENTICATED = Sign in: the session is unknown or expired.
parent-CSRF = The request lacks this session's anti-forgery token: reload the page.
