# Общие тексты, вход, первичная настройка, меню.
language = Язык
logout = Выйти
dismiss = Закрыть
cancel = Отмена
yes = да
ago = { $days ->
        [0] { $hours ->
                [0] { $minutes ->
                        [0] только что
                       *[other] { $minutes } мин назад
                    }
               *[other] { $hours } ч { $minutes } мин назад
            }
       *[other] { $days } дн. { $hours } ч назад
    }
file-written = Файл сохранён: { $path }
filter-all = (Все)

login-title = Вход в систему
login-warning = Неправомерное использование учетных данных третьего лица влечет ответственность в соответствии с законодательством РК.
login-login = Логин
login-password = Пароль
login-submit = Войти
login-throttled = Слишком много неудачных попыток входа. Повторите через { $seconds } с.

setup-title = Первичная настройка киоска
setup-intro = Киоск ещё не настроен: укажите район, название киоска и первого администратора.
setup-district = Район или город
setup-kiosk-name = Название киоска (отдел, окно)
setup-admin = Первый администратор
setup-admin-login = Логин администратора
setup-admin-name = ФИО администратора
setup-admin-password = Пароль администратора
setup-admin-password-again = Пароль ещё раз
setup-password-mismatch = Пароли не совпадают
setup-choose-district = Выберите район или город
setup-submit = Сохранить настройку
setup-done = Киоск настроен. Войдите как администратор.

nav-register = Постановка в очередь
nav-journal = Журнал заявлений
nav-card = Карточка заявления
nav-staff = Рабочий кабинет сотрудника ДДО
nav-sync = Синхронизация
nav-admin = Администрирование
nav-stats = Просмотр статистики

status-pending = Не отправлено в центр: { $count }
status-last-sync = Последняя синхронизация: { $at } ({ $ago })
status-never-synced = Синхронизации ещё не было
status-syncing = Идёт синхронизация с центром…
status-sync-failed = Нет связи с центром (попытка { $at })
status-now = Время киоска: { $now }
