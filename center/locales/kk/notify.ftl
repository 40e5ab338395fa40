# What the notifier sends (center/src/notify/messages.rs): a subject and a text. Dates are
# the local (+05:00) day as DD.MM.YYYY.

# A one-time sign-in code, valid $minutes.
notify-sign-in-code-subject = Kezek: кіру коды
notify-sign-in-code = Kezek жүйесіне кіру коды: { $code }. { $minutes } минут жарамды. Оны ешкімге айтпаңыз.
# A voucher issued on $application, to confirm by the end of the day $by.
notify-voucher-issued-subject = Kezek: { $application } өтініші бойынша ваучер берілді
notify-voucher-issued = { $application } өтініші бойынша балабақшаға ваучер берілді. Қызығушылығыңызды { $by } күні 23:59-ға дейін растаңыз, әйтпесе ваучер стоп-параққа түседі.
# A deadline of $application ending at 23:59 of $day; $action: one of notify-action-….
notify-deadline-tomorrow-subject = Kezek: { $application } өтініші бойынша мерзім { $day } аяқталады
notify-deadline-tomorrow = { $application } өтініші бойынша мерзім { $day } күні 23:59-да аяқталады: { $action } үлгеріңіз.
notify-action-confirm = ваучерге қызығушылықты растау
notify-action-choose = балабақшаны таңдап, шартқа қол қою
notify-action-restore = ваучерді стоп-парақтан қалпына келтіру
# The education department's decision on a kindergarten's refusal of $application.
notify-refusal-decided-subject = Kezek: бас тарту бойынша шешім, { $application } өтініші
notify-refusal-upheld = Білім бөлімі { $application } өтініші бойынша балабақшаның бас тартуын растады. Бала кезекке бұрынғы тіркелу уақытымен қайтарылды.
# $kindergarten: the kindergarten that must now enrol the child.
notify-refusal-overruled = Білім бөлімі { $application } өтініші бойынша { $kindergarten } балабақшасының бас тартуын қабылдамады: балабақша баланы қабылдауға міндетті.
