# The center's errors (center/src/service/errors/), keyed by error code: `center-CODE`. A code
# that says different things selects on `$reason` (SETUP, INVALID_ARGUMENT) or `$what`
# (NOT_FOUND). The rules', the population registry's and the store's errors have their own
# texts. $detail: what the system or the parser said, as it said it.

center-SETUP = { $reason ->
        [file] Орталық { $path } оқи немесе жаза алмайды: { $detail }
        [initialised] { $path } бар: бұл қалтада орталық бұрыннан жасалған
        [not-initialised] { $path } файлы жоқ: алдымен орталықты жасаңыз (kezek-center init)
        [directory] Балабақшалар анықтамалығы қате толтырылған: { $detail }
        [new-key] Орталықтың кілттер жұбын жасау мүмкін болмады: { $detail }
        [center-key] Деректер қалтасындағы center.pub файлында ашық кілт жоқ: { $detail }
        [kiosk-key] { $kiosk } киоскінің сақталған ашық кілті оқылмайды: { $detail }
        [randomness] Операциялық жүйе кездейсоқ сандар бермейді: { $detail }
        [password-hash] Құпия сөздің хешін есептеу мүмкін болмады: { $detail }
        [key-not-placed] Ата-ана кабинетінің кілтін { $path } ретінде сақтау мүмкін болмады: { $detail }
        [folder-not-synced] { $path } файлының қалтасын дискіге жазу мүмкін болмады: { $detail }
        [channel-key] Ата-ана кабинеті { $file } ішіндегіден басқа кілтпен тіркелген: бастапқы { $file } файлын қайтарыңыз
        [no-districts] Орталықта аудандар жоқ: алдымен балабақшалар анықтамалығын жүктеңіз
       *[other] Орталық жұмысқа дайындала алмады
    }
center-INVALID_ARGUMENT = { $reason ->
        [login] «{ $login }» логині: A–Z a–z 0–9 - _ . таңбаларынан 1–64 таңба
        [name] Аты 1–200 таңбадан тұруы керек
        [login-taken] { $login } логині бос емес
        [weak-password] Құпия сөз кемінде { $min } таңбадан тұруы керек
        [kiosk-id] «{ $id }» киоск идентификаторы: A–Z a–z 0–9 - _ . таңбаларынан 1–64 таңба, «center» не «WEB» емес
        [kiosk-registered] { $id } киоскі бұрыннан тіркелген
        [public-key] Бұл ашық кілт емес: { $detail }
        [weak-key] Бұл ашық кілт әлсіз: киоск кілтін қайта жасаңыз
        [duplicate-kindergarten] { $id } балабақшасы файлда екі рет көрсетілген
        [decided] { $id } тексеру тармағы бойынша шешім бұрыннан қабылданған ({ $status ->
            [upheld] күшінде қалдырылды
           *[overruled] жойылды
        })
        [clock-overrule] Түзетілген киоск уақытын жоюға болмайды, тек күшінде қалдыруға болады
        [nothing-to-apply] Қабылданбаған жазбада қолдануға болатын команда жоқ
        [database-not-empty] { $url } дерекқорында бұрыннан { $entries } жазба бар: деректерді бос дерекқорға көшіріңіз
        [encoding] Құжатты жазу мүмкін болмады: { $detail }
       *[other] Сұрау қате толтырылған
    }
center-NOT_FOUND = { $what ->
        [account] { $id } тіркелгісі жоқ
        [review-item] { $id } тексеру тармағы жоқ
        [quarantine] { $id } киоскінде № { $head } жазбадан кейін карантиндегі жазбалар жоқ
       *[other] Табылмады: { $id }
    }
center-UNKNOWN_KIOSK = { $kiosk } киоскі тіркелмеген
center-UNKNOWN_DISTRICT = { $district } ауданы жоқ
center-UNAUTHORIZED = { $kiosk } киоскі { $district } ауданына қызмет көрсетпейді
center-BAD_CREDENTIALS = Логин немесе құпия сөз қате
center-BAD_SCHEDULE = { $path } кесте файлы қате толтырылған: { $detail }
# $code: the key error's own code.
center-KEY = { $code ->
        [KEY_PASSPHRASE_REQUIRED] Орталық кілті шифрланған: кілт құпия сөзін көрсетіңіз (--key-passphrase-file немесе KEZEK_KEY_PASSPHRASE)
        [KEY_WRONG_PASSPHRASE] Орталық кілтінің құпия сөзі қате немесе кілт файлы өзгертілген
        [KEY_EMPTY_PASSPHRASE] Кілттің құпия сөзі бос
        [BAD_PUBLIC_KEY] Бұл ашық кілт емес: { $detail }
       *[other] Кілт файлы оқылмайды ({ $detail }): оны сақтық көшірмеден қалпына келтіріңіз
    }

## An upload refused as a whole

center-BAD_BUNDLE = Бұл киоск журналының оқылатын пакеті емес: { $detail }
center-KIOSK_MISMATCH = Пакет { $expected } емес, { $found } киоскіне тиесілі
center-REVOKED_KIOSK = { $kiosk } киоскінің тіркеуі жойылған
center-UNAUTHENTICATED = { $kiosk } киоскінің бірінші жазбасы (№ { $seq }) оның тіркелген кілтімен тексеруден өтпейді
center-INTERNAL = Орталық ішінде ақау болды; пакеттен ештеңе сақталмады ({ $detail })

# The staff API's session checks (center/src/staff_api/caller.rs).
center-SIGN_IN_REQUIRED = Алдымен жүйеге кіріңіз.
center-SESSION_EXPIRED = Сессия белгісіз немесе мерзімі өтті: қайта кіріңіз.
center-CSRF = Сұрауда сессияны қорғау кілті жоқ: бетті жаңартыңыз.
# $seconds: the wait before the next attempt.
center-LOGIN_THROTTLED = Сәтсіз кіру әрекеттері тым көп: { $seconds } с кейін қайталаңыз.
center-STORE_UNAVAILABLE = Кіру уақытша қолжетімсіз: дерекқор жауап бермейді. Бір минуттан кейін қайталаңыз.
