# The parents' channel: errors of /v1/parent/…, keyed by error code (center/src/parents/).

parent-NOT_IN_REGISTRY = Государственный реестр населения не подтверждает, что ребёнок с ИИН { $child } — ваш ребёнок. Обратитесь в отдел образования с документами.
# $minutes: whole minutes to wait.
parent-THROTTLED = Слишком много кодов. Попробуйте снова через { $minutes } мин.
parent-NO_CODE = Код не запрошен или уже использован. Запросите новый код.
parent-STORE_UNAVAILABLE = Вход временно недоступен. Попробуйте через минуту.
parent-CODE_EXPIRED = Срок действия кода (5 минут) истёк. Запросите новый код.
# $n: tries left.
parent-WRONG_CODE = Неверный код. Осталось попыток: { $n }.
# The notifier's error code is the answer's code.
parent-NOT_SENT = Не удалось отправить код. Попробуйте позже.
parent-CONTRACT_MISMATCH = Текст договора изменился. Откройте договор снова и подпишите его.
parent-NOT_FOUND = Не найдено: { $what }.
parent-INVALID = Запрос заполнен неверно: { $why }
# The code of the ingest's or the fold's refusal is the answer's code.
parent-REFUSED = Центр не принял действие: { $why }
# $why: the center's error code.
parent-CENTER = Центр не смог выполнить запрос ({ $why }). Попробуйте позже.
parent-PARENTS_DISABLED = Кабинет родителя на этом сервере не включён.
parent-UNAUTHENTICATED = Войдите в кабинет: сессия не найдена или истекла.
parent-CSRF = Запрос без ключа защиты сессии: обновите страницу.
