# The population registry (center/src/population.rs), keyed by error code. Invalid IINs are
# the rules' IIN errors.

population-REGISTRY_NOT_IMPORTED = No population registry file has been imported
population-REGISTRY_UNAVAILABLE = The population registry is unavailable now: try again later
population-POPULATION_IO = The population registry is unavailable now: try again later
population-POPULATION_UNTRUSTED_KEY = The file is signed with a key this center does not trust
population-POPULATION_BAD_SIGNATURE = The file's signature does not match its content: it was altered after signing
population-POPULATION_MALFORMED = This is not a population registry file of parent–child pairs
population-POPULATION_FORMAT = This is not a population registry file of parent–child pairs
population-POPULATION_BAD_PAIR = This is not a population registry file of parent–child pairs
population-POPULATION_TOO_LARGE = This is not a population registry file of parent–child pairs
population-POPULATION_BAD_KEY = Not a public key (64 hex digits)
