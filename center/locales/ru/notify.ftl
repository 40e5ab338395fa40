# What the notifier sends (center/src/notify/messages.rs): a subject and a text. Dates are
# the local (+05:00) day as DD.MM.YYYY.

# A one-time sign-in code, valid $minutes.
notify-sign-in-code-subject = Kezek: код входа
notify-sign-in-code = Код входа в Kezek: { $code }. Действует { $minutes } мин. Никому его не сообщайте.
# A voucher issued on $application, to confirm by the end of the day $by.
notify-voucher-issued-subject = Kezek: выдан ваучер по заявлению { $application }
notify-voucher-issued = По заявлению { $application } выдан ваучер в детский сад. Подтвердите интерес до 23:59 { $by }, иначе ваучер перейдёт в стоп-лист.
# A deadline of $application ending at 23:59 of $day; $action: one of notify-action-….
notify-deadline-tomorrow-subject = Kezek: срок по заявлению { $application } истекает { $day }
notify-deadline-tomorrow = Срок по заявлению { $application } истекает в 23:59 { $day }: успейте { $action }.
notify-action-confirm = подтвердить интерес к ваучеру
notify-action-choose = выбрать детский сад и подписать договор
notify-action-restore = восстановить ваучер из стоп-листа
# The education department's decision on a kindergarten's refusal of $application.
notify-refusal-decided-subject = Kezek: решение по отказу, заявление { $application }
notify-refusal-upheld = Отдел образования подтвердил отказ детского сада по заявлению { $application }. Ребёнок возвращён в очередь с прежним временем регистрации.
# $kindergarten: the kindergarten that must now enrol the child.
notify-refusal-overruled = Отдел образования отклонил отказ детского сада { $kindergarten } по заявлению { $application }: детский сад обязан принять ребёнка.
