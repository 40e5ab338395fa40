# Слова командной строки (kezek-kiosk без графического интерфейса). Сообщения об ошибках — в errors.ftl.

## Ошибки, предупреждения, использование

cli-error = ошибка
cli-warning = внимание
cli-give-data = Укажите папку данных: --data DIR
cli-password-file-unreadable = Не читается файл пароля: { $path }: { $detail }
cli-no-password = Пароль не задан: укажите его в переменной окружения { $env } или через --password-file (в командной строке пароль не принимается)
cli-torn-tail = Примечание: незавершённая запись в конце журнала ({ $bytes } байт) отброшена — она не была подтверждена как сохранённая.
cli-center-set-usage = Укажите --url, --key, --ca-file, --pin-cert или --clear-tls
cli-input-unreadable = ошибка чтения ввода

## init, operator

cli-kiosk-created = Киоск создан.
cli-kiosk-id = Номер киоска
cli-public-key = Открытый ключ
cli-fingerprint = Отпечаток ключа
cli-administrator = Администратор
cli-data-folder = Папка данных
cli-register-at-center = Передайте номер киоска, открытый ключ и отпечаток администратору центра для регистрации киоска.
cli-account-created = Учётная запись { $login } создана (запись журнала № { $seq }).
cli-account-disabled = Учётная запись { $login } отключена (запись журнала № { $seq }).
cli-login = Логин
cli-name = ФИО
cli-role = Роль
cli-kindergartens = Детские сады
cli-state = Состояние
cli-added = Создана
cli-active = активна
cli-disabled = отключена

## find, journal, card

cli-reg-number = Рег. номер
cli-registered = Зарегистрировано
cli-queue = Очередь
cli-child = Ребёнок
cli-iin = ИИН
cli-position = Место
cli-status = Статус
cli-total = Всего
cli-birth-date = Дата рождения
cli-right = Льгота
cli-queue-position = Место в очереди
cli-direction = Направление
cli-archive-reason = Причина архивации
cli-app-warning = Предупреждение
cli-applicant = Заявитель
cli-address = Адрес
cli-confirm-by = Срок подтверждения
cli-choose-by = Срок выбора
cli-restore-by = Срок восстановления
cli-provisional = предварительный календарь: постановления на этот год ещё нет
cli-allowed-actions = Доступные действия
cli-history = История
cli-kiosk-word = киоск
cli-by = сотрудник

## status, verify, export, demo-load

cli-kiosk = Киоск
cli-key-fingerprint = Отпечаток ключа
cli-log-entries = Записей в журнале
cli-acknowledged = Подтверждено центром
cli-pending = Ожидают отправки
cli-last-sync = Последняя синхронизация
cli-days-ago = дн. назад
cli-never = не было
cli-log = Журнал
cli-healthy = в порядке
cli-dropped-append = Отброшена незавершённая запись
cli-bytes = байт
cli-projections = Проекции
cli-applications = Заявлений
cli-places-records = записей о местах
cli-active-accounts = активных учётных записей
cli-rejected-on-replay-entries = Записи, не принятые при повторе
cli-offline-conflicts = Офлайн-конфликты с последним снимком центра (решит центр)
cli-open-time = Открытие
cli-valid-entries = Записей с верной подписью и цепочкой
cli-rejected-on-replay = Не приняты при повторе
cli-projection-mismatches = Расхождения проекций
cli-verified = Проверка пройдена
cli-not-verified = Проверка НЕ пройдена
cli-exported = Выгружено записей: { $entries } (№ { $range }) в { $path } ({ $bytes } байт).
cli-export-left = Не поместились в файл, выгрузите ещё раз после отправки
cli-demo-loaded = Демо-данные загружены: заявлений { $registered }, записей о местах { $places }, отклонено { $rejected } (записи журнала № { $first }–{ $last }).

## demo

cli-demo-kiosk = Демо-киоск
cli-demo-title = демо-киоск
cli-demo-logins = Демо-входы
cli-demo-created = Демо-киоск создан и заполнен демо-данными.
cli-demo-reused = Демо-киоск уже был в этой папке: используется он.
cli-demo-applications-loaded = Заявлений загружено
cli-demo-log-entries = записей в журнале
cli-demo-journal-head = Журнал: первые 10 строк
cli-demo-total = всего
cli-demo-reg-number = Рег. номер
cli-demo-position = Место
cli-demo-card = Карточка заявления
cli-demo-queue-position = Место в очереди (по данным киоска)
cli-demo-confirm-voucher-by = Подтвердить ваучер до
cli-demo-choose-by = Выбрать детский сад до
cli-demo-allowed-actions = Доступные действия (по правилам)
cli-demo-until = до
cli-demo-change-log = Журнал изменений
cli-demo-log-check = Проверка журнала
cli-demo-problems = ОШИБКИ
cli-demo-replay-problems = ошибок повтора
cli-demo-projection-mismatches = расхождений проекций
cli-demo-log-failed = Журнал не прошёл проверку
cli-demo-no-gui = Эта сборка без графического интерфейса (feature gui)
