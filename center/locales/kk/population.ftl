# The population registry (center/src/population.rs), keyed by error code. Invalid IINs are
# the rules' IIN errors.

population-REGISTRY_NOT_IMPORTED = Халық тіркелімінің деректері орталыққа жүктелмеген
population-REGISTRY_UNAVAILABLE = Халық тіркелімі қазір қолжетімсіз, кейінірек қайталаңыз
population-POPULATION_IO = Халық тіркелімі қазір қолжетімсіз, кейінірек қайталаңыз
population-POPULATION_UNTRUSTED_KEY = Файлға орталық сенбейтін кілтпен қол қойылған
population-POPULATION_BAD_SIGNATURE = Файлдың қолтаңбасы мазмұнына сәйкес келмейді: файл қол қойылғаннан кейін өзгертілген
population-POPULATION_MALFORMED = Бұл халық тіркелімінің «ата-ана — бала» жұптарының файлы емес
population-POPULATION_FORMAT = Бұл халық тіркелімінің «ата-ана — бала» жұптарының файлы емес
population-POPULATION_BAD_PAIR = Бұл халық тіркелімінің «ата-ана — бала» жұптарының файлы емес
population-POPULATION_TOO_LARGE = Бұл халық тіркелімінің «ата-ана — бала» жұптарының файлы емес
population-POPULATION_BAD_KEY = Бұл ашық кілт емес (64 он алтылық цифр)
