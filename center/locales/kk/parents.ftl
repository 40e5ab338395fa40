# The parents' channel: errors of /v1/parent/…, keyed by error code (center/src/parents/).

parent-NOT_IN_REGISTRY = Халықтың мемлекеттік тізілімі ЖСН { $child } баланың сіздің балаңыз екенін растамайды. Құжаттармен білім бөліміне жүгініңіз.
# $minutes: whole minutes to wait.
parent-THROTTLED = Кодтар тым көп. { $minutes } минуттан кейін қайталап көріңіз.
parent-NO_CODE = Код сұралмаған немесе пайдаланылған. Жаңа код сұраңыз.
parent-STORE_UNAVAILABLE = Кіру уақытша қолжетімсіз. Бір минуттан кейін қайталаңыз.
parent-CODE_EXPIRED = Кодтың мерзімі (5 минут) өтті. Жаңа код сұраңыз.
# $n: tries left.
parent-WRONG_CODE = Код қате. Қалған әрекет саны: { $n }.
# The notifier's error code is the answer's code.
parent-NOT_SENT = Кодты жіберу мүмкін болмады. Кейінірек қайталаңыз.
parent-CONTRACT_MISMATCH = Шарт мәтіні өзгерді. Шартты қайта ашып, қол қойыңыз.
parent-NOT_FOUND = Табылмады: { $what }.
parent-INVALID = Сұрау қате толтырылған: { $why }
# The code of the ingest's or the fold's refusal is the answer's code.
parent-REFUSED = Орталық әрекетті қабылдамады: { $why }
# $why: the center's error code.
parent-CENTER = Орталық сұрауды орындай алмады ({ $why }). Кейінірек қайталаңыз.
parent-PARENTS_DISABLED = Бұл серверде ата-ана кабинеті қосылмаған.
parent-UNAUTHENTICATED = Кабинетке кіріңіз: сессия табылмады немесе мерзімі өтті.
parent-CSRF = Сұрауда сессияны қорғау кілті жоқ: бетті жаңартыңыз.
