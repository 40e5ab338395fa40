# The store's errors (center/src/store/mod.rs) and the PostgreSQL store's set-up and role checks
# (center/src/pg_store.rs), keyed by error code.

store-STORE_NOT_SET_UP = Дерекқорда орталықтың сызбасы жоқ немесе ол ескірген: сызба иесі оны kezek-center init --store-owner командасымен жасайды немесе kezek-center upgrade-store --store-owner командасымен жаңартады
store-STORE_ROLE_CAN_REWRITE = Сервер рөлі қабылданған жазбалар журналын қайта жаза алады: серверді журналды тек оқуға және оған жазба қосуға рұқсаты бар рөлмен іске қосыңыз
store-STORE_SAME_ROLE = Сызба иесі мен сервер рөлі әртүрлі рөлдер болуы керек
store-STORE_NO_ROLE = Дерекқорда сервер рөлі жоқ: алдымен оны жасаңыз
store-STORE_NO_USER = Дерекқор мекенжайында сервер рөлі көрсетілмеген

store-STORE = Орталық қоймасының қатесі: { $detail }
store-DATA_LOCKED = { $path } деректер қалтасын басқа kezek-center бағдарламасы пайдаланып тұр
store-LOG_DAMAGED = { $path } қабылданған жазбалар журналы { $offset } байт ығысудан бастап бүлінген; орталық іске қосылмады, файл өзгертілмеді. Деректер қалтасын бөлек көшіріп алыңыз, содан кейін оны сақтық көшірмеден қалпына келтіріңіз немесе жаңа орталық жасап, киосктар журналдарын қайта жүктеңіз
