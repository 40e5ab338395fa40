# Командалық жолдың сөздері (kezek-kiosk графикалық интерфейссіз). Қате хабарлары — errors.ftl файлында.

## Қателер, ескертулер, қолдану

cli-error = қате
cli-warning = назар аударыңыз
cli-give-data = Деректер қалтасын көрсетіңіз: --data DIR
cli-password-file-unreadable = Құпиясөз файлы оқылмайды: { $path }: { $detail }
cli-no-password = Құпиясөз берілмеген: оны { $env } ортасының айнымалысында немесе --password-file арқылы көрсетіңіз (командалық жолда құпиясөз қабылданбайды)
cli-torn-tail = Ескерту: журнал соңындағы аяқталмаған жазба ({ $bytes } байт) алынып тасталды — ол сақталды деп расталмаған.
cli-center-set-usage = --url, --key, --ca-file, --pin-cert немесе --clear-tls көрсетіңіз
cli-input-unreadable = енгізуді оқу қатесі

## init, operator

cli-kiosk-created = Киоск құрылды.
cli-kiosk-id = Киоск нөмірі
cli-public-key = Ашық кілт
cli-fingerprint = Кілт іздері
cli-administrator = Әкімші
cli-data-folder = Деректер қалтасы
cli-register-at-center = Киоскты тіркеу үшін киоск нөмірін, ашық кілтті және іздерді орталық әкімшісіне беріңіз.
cli-account-created = { $login } тіркелгісі құрылды (журнал жазбасы № { $seq }).
cli-account-disabled = { $login } тіркелгісі өшірілді (журнал жазбасы № { $seq }).
cli-login = Логин
cli-name = Аты-жөні
cli-role = Рөлі
cli-kindergartens = Балабақшалар
cli-state = Күйі
cli-added = Құрылды
cli-active = белсенді
cli-disabled = өшірілген

## find, journal, card

cli-reg-number = Тіркеу нөмірі
cli-registered = Тіркелген
cli-queue = Кезек
cli-child = Бала
cli-iin = ЖСН
cli-position = Орны
cli-status = Мәртебе
cli-total = Барлығы
cli-birth-date = Туған күні
cli-right = Жеңілдік
cli-queue-position = Кезектегі орны
cli-direction = Жолдама
cli-archive-reason = Мұрағаттау себебі
cli-app-warning = Ескерту
cli-applicant = Өтініш беруші
cli-address = Мекенжайы
cli-confirm-by = Растау мерзімі
cli-choose-by = Таңдау мерзімі
cli-restore-by = Қалпына келтіру мерзімі
cli-provisional = алдын ала күнтізбе: осы жылға қаулы әлі жоқ
cli-allowed-actions = Қолжетімді әрекеттер
cli-history = Тарихы
cli-kiosk-word = киоск
cli-by = қызметкер

## status, verify, export, demo-load

cli-kiosk = Киоск
cli-key-fingerprint = Кілт іздері
cli-log-entries = Журналдағы жазбалар
cli-acknowledged = Орталық растаған
cli-pending = Жіберуді күтуде
cli-last-sync = Соңғы синхрондау
cli-days-ago = күн бұрын
cli-never = болған жоқ
cli-log = Журнал
cli-healthy = жақсы
cli-dropped-append = Аяқталмаған жазба алынып тасталды
cli-bytes = байт
cli-projections = Проекциялар
cli-applications = Өтініштер
cli-places-records = орын жазбалары
cli-active-accounts = белсенді тіркелгілер
cli-rejected-on-replay-entries = Қайталауда қабылданбаған жазбалар
cli-offline-conflicts = Орталықтың соңғы суретімен офлайн қайшылықтар (орталық шешеді)
cli-open-time = Ашу
cli-valid-entries = Қолтаңбасы мен тізбегі дұрыс жазбалар
cli-rejected-on-replay = Қайталауда қабылданбады
cli-projection-mismatches = Проекциялардағы айырмашылықтар
cli-verified = Тексеруден өтті
cli-not-verified = Тексеруден ӨТПЕДІ
cli-exported = Шығарылған жазбалар: { $entries } (№ { $range }), { $path } файлына ({ $bytes } байт).
cli-export-left = Файлға сыймады, жібергеннен кейін қайта шығарыңыз
cli-demo-loaded = Демо деректер жүктелді: өтініштер { $registered }, орын жазбалары { $places }, қабылданбады { $rejected } (журнал жазбалары № { $first }–{ $last }).

## demo

cli-demo-kiosk = Демо киоск
cli-demo-title = демо киоск
cli-demo-logins = Демо кіру деректері
cli-demo-created = Демо киоск құрылды және демо деректермен толтырылды.
cli-demo-reused = Бұл қалтада демо киоск бар еді: сол пайдаланылады.
cli-demo-applications-loaded = Жүктелген өтініштер
cli-demo-log-entries = журнал жазбалары
cli-demo-journal-head = Журнал: алғашқы 10 жол
cli-demo-total = барлығы
cli-demo-reg-number = Тіркеу нөмірі
cli-demo-position = Орны
cli-demo-card = Өтініш карточкасы
cli-demo-queue-position = Кезектегі орны (киоск бойынша)
cli-demo-confirm-voucher-by = Ваучерді растау мерзімі
cli-demo-choose-by = Балабақшаны таңдау мерзімі
cli-demo-allowed-actions = Қолжетімді әрекеттер (ереже бойынша)
cli-demo-until = дейін
cli-demo-change-log = Өзгерістер журналы
cli-demo-log-check = Журналды тексеру
cli-demo-problems = ҚАТЕЛЕР
cli-demo-replay-problems = қайталау қатесі
cli-demo-projection-mismatches = проекция айырмашылығы
cli-demo-log-failed = Журнал тексеруден өтпеді
cli-demo-no-gui = Бұл нұсқада графикалық интерфейс жоқ (feature gui)
