# The population registry (center/src/population.rs), keyed by error code. Invalid IINs are
# the rules' IIN errors.

population-REGISTRY_NOT_IMPORTED = Данные регистра населения не загружены в центр
population-REGISTRY_UNAVAILABLE = Регистр населения сейчас недоступен, попробуйте позже
population-POPULATION_IO = Регистр населения сейчас недоступен, попробуйте позже
population-POPULATION_UNTRUSTED_KEY = Файл подписан ключом, которому центр не доверяет
population-POPULATION_BAD_SIGNATURE = Подпись файла не совпадает с содержимым: файл изменён после подписания
population-POPULATION_MALFORMED = Это не файл пар «родитель — ребёнок» регистра населения
population-POPULATION_FORMAT = Это не файл пар «родитель — ребёнок» регистра населения
population-POPULATION_BAD_PAIR = Это не файл пар «родитель — ребёнок» регистра населения
population-POPULATION_TOO_LARGE = Это не файл пар «родитель — ребёнок» регистра населения
population-POPULATION_BAD_KEY = Это не открытый ключ (64 шестнадцатеричные цифры)
