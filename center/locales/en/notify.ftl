# What the notifier sends (center/src/notify/messages.rs): a subject and a text. Dates are
# the local (+05:00) day as DD.MM.YYYY.

# A one-time sign-in code, valid $minutes.
notify-sign-in-code-subject = Kezek: sign-in code
notify-sign-in-code = Your Kezek sign-in code: { $code }. Valid for { $minutes } min. Do not share it with anyone.
# A voucher issued on $application, to confirm by the end of the day $by.
notify-voucher-issued-subject = Kezek: a voucher was issued on application { $application }
notify-voucher-issued = A kindergarten voucher was issued on application { $application }. Confirm your interest by 23:59 on { $by }, or the voucher goes to the stop-list.
# A deadline of $application ending at 23:59 of $day; $action: one of notify-action-….
notify-deadline-tomorrow-subject = Kezek: a deadline on application { $application } ends on { $day }
notify-deadline-tomorrow = A deadline on application { $application } ends at 23:59 on { $day }: { $action } before then.
notify-action-confirm = confirm your interest in the voucher
notify-action-choose = choose a kindergarten and sign the contract
notify-action-restore = restore the voucher from the stop-list
# The education department's decision on a kindergarten's refusal of $application.
notify-refusal-decided-subject = Kezek: decision on the refusal, application { $application }
notify-refusal-upheld = The education department upheld the kindergarten's refusal on application { $application }. The child is back in the queue with the original registration time.
# $kindergarten: the kindergarten that must now enrol the child.
notify-refusal-overruled = The education department overruled the refusal of kindergarten { $kindergarten } on application { $application }: the kindergarten must enrol the child.
