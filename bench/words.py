"""A fixed English word list for the synthetic corpus: common words, so tokenizers see realistic pieces."""

_TEXT = """
    the of and to in is was for on that with as by at from it be this are or an which have has not but
    had they were their one all we can been more other new some when there would who will what about if
    its into than them only time also two may these first any after most such used where many then over
    system data model search query document vector index server request latency throughput memory cache
    network storage result answer question passage retrieval ranking score batch token sentence language
    research paper study method analysis experiment evaluation benchmark dataset training inference engine
    river mountain forest city village market garden kitchen window library museum school hospital station
    weather summer winter autumn spring morning evening night music painting history science medicine
    water energy light sound colour shape number value price cost growth change policy report record
    people family friend teacher student doctor engineer writer artist farmer driver worker manager leader
    build write read run make find give take keep hold bring show turn move play open close begin learn
    small large long short early late high low fast slow simple complex clear strong weak public private
    because however although therefore while during before between under around through against without
    computer software hardware program function variable library package service client protocol message
    customer product order payment account support contract delivery invoice shipping warehouse supplier
    ocean island coast harbour bridge tunnel road railway airport vehicle engine fuel battery electric solar
    protein cell gene tissue patient treatment disease symptom clinical therapy diagnosis vaccine hormone
    economy inflation interest market capital investment revenue profit budget tax trade export industry
"""

WORDS: tuple[str, ...] = tuple(_TEXT.split())
