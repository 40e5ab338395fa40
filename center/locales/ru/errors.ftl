# The center's errors (center/src/service/errors/), keyed by error code: `center-CODE`. A code
# that says different things selects on `$reason` (SETUP, INVALID_ARGUMENT) or `$what`
# (NOT_FOUND). The rules', the population registry's and the store's errors have their own
# texts. $detail: what the system or the parser said, as it said it.

center-SETUP = { $reason ->
        [file] Центр не может прочитать или записать { $path }: { $detail }
        [initialised] { $path } уже есть: центр в этой папке уже создан
        [not-initialised] Нет файла { $path }: сначала создайте центр (kezek-center init)
        [directory] Справочник детских садов заполнен неверно: { $detail }
        [new-key] Не удалось создать пару ключей центра: { $detail }
        [center-key] Файл center.pub в папке данных не содержит открытый ключ: { $detail }
        [kiosk-key] Сохранённый открытый ключ киоска { $kiosk } не читается: { $detail }
        [randomness] Операционная система не даёт случайных чисел: { $detail }
        [password-hash] Не удалось вычислить хеш пароля: { $detail }
        [key-not-placed] Не удалось сохранить ключ кабинета родителя как { $path }: { $detail }
        [folder-not-synced] Не удалось записать на диск папку файла { $path }: { $detail }
        [channel-key] Кабинет родителя зарегистрирован с другим ключом, чем в { $file }: верните исходный { $file }
        [no-districts] В центре нет районов: сначала загрузите справочник детских садов
       *[other] Центр не смог подготовиться к работе
    }
center-INVALID_ARGUMENT = { $reason ->
        [login] Логин «{ $login }»: от 1 до 64 символов A–Z a–z 0–9 - _ .
        [name] Имя должно содержать от 1 до 200 символов
        [login-taken] Логин { $login } уже занят
        [weak-password] Пароль должен содержать не менее { $min } символов
        [kiosk-id] Идентификатор киоска «{ $id }»: от 1 до 64 символов A–Z a–z 0–9 - _ . и не «center» или «WEB»
        [kiosk-registered] Киоск { $id } уже зарегистрирован
        [public-key] Это не открытый ключ: { $detail }
        [weak-key] Этот открытый ключ слабый: создайте ключ киоска заново
        [duplicate-kindergarten] Детский сад { $id } указан в файле дважды
        [decided] По пункту проверки { $id } решение уже принято ({ $status ->
            [upheld] оставлено в силе
           *[overruled] отменено
        })
        [clock-overrule] Исправленное время киоска нельзя отменить, только оставить в силе
        [nothing-to-apply] В отклонённой записи нет команды, которую можно применить
        [database-not-empty] В базе данных { $url } уже { $entries } записей: переносите данные в пустую базу
        [encoding] Не удалось записать документ: { $detail }
       *[other] Запрос заполнен неверно
    }
center-NOT_FOUND = { $what ->
        [account] Нет учётной записи { $id }
        [review-item] Нет пункта проверки { $id }
        [quarantine] У киоска { $id } нет записей в карантине после записи № { $head }
       *[other] Не найдено: { $id }
    }
center-UNKNOWN_KIOSK = Киоск { $kiosk } не зарегистрирован
center-UNKNOWN_DISTRICT = Нет района { $district }
center-UNAUTHORIZED = Киоск { $kiosk } не обслуживает район { $district }
center-BAD_CREDENTIALS = Неверный логин или пароль
center-BAD_SCHEDULE = Файл расписания { $path } заполнен неверно: { $detail }
# $code: the key error's own code.
center-KEY = { $code ->
        [KEY_PASSPHRASE_REQUIRED] Ключ центра зашифрован: укажите пароль ключа (--key-passphrase-file или KEZEK_KEY_PASSPHRASE)
        [KEY_WRONG_PASSPHRASE] Неверный пароль ключа центра, или файл ключа изменён
        [KEY_EMPTY_PASSPHRASE] Пароль ключа пуст
        [BAD_PUBLIC_KEY] Это не открытый ключ: { $detail }
       *[other] Файл ключа не читается ({ $detail }): восстановите его из резервной копии
    }

## An upload refused as a whole

center-BAD_BUNDLE = Это не читаемый пакет журнала киоска: { $detail }
center-KIOSK_MISMATCH = Пакет принадлежит киоску { $found }, а не { $expected }
center-REVOKED_KIOSK = Регистрация киоска { $kiosk } отозвана
center-UNAUTHENTICATED = Первая запись (№ { $seq }) киоска { $kiosk } не проходит проверку его зарегистрированным ключом
center-INTERNAL = Внутри центра произошёл сбой; из пакета ничего не сохранено ({ $detail })

# The staff API's session checks (center/src/staff_api/caller.rs).
center-SIGN_IN_REQUIRED = Сначала войдите в систему.
center-SESSION_EXPIRED = Сессия неизвестна или истекла: войдите снова.
center-CSRF = Запрос без ключа защиты сессии: обновите страницу.
# $seconds: the wait before the next attempt.
center-LOGIN_THROTTLED = Слишком много неудачных попыток входа: повторите через { $seconds } с.
center-STORE_UNAVAILABLE = Вход временно недоступен: база данных не отвечает. Повторите через минуту.
