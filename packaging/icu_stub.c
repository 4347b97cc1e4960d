/*
 * ICU's "stubdata": common data with an empty table of contents (as ICU's own
 * source/stubdata/stubdata.cpp). build_installer.spec compiles it, on Linux, into the
 * bundle's libicudata.so.NN in place of PySide6's 32 MB one:
 *
 *     cc -shared -fPIC -O2 -DICU_DATA_SYMBOL=icudt73_dat \
 *        -Wl,-soname,libicudata.so.73 -o libicudata.so.73 icu_stub.c
 *
 * libQt6Core links to ICU but this app uses no ICU service: Qt's own tables do locale
 * formatting, case mapping, text boundaries and UTF-8/16. What stops working is what
 * the app never calls: QCollator (sorts by code point instead), legacy codecs such as
 * Shift_JIS in QStringDecoder, and time-zone display names. docs/performance.md shows
 * the measurement; GLASS_KEEP_ICU=1 at build time keeps the real data.
 */
#include <stdint.h>

typedef struct {
    uint16_t size;
    uint16_t reservedWord;
    uint8_t isBigEndian;
    uint8_t charsetFamily;
    uint8_t sizeofUChar;
    uint8_t reservedByte;
    uint8_t dataFormat[4];
    uint8_t formatVersion[4];
    uint8_t dataVersion[4];
} UDataInfo;

typedef struct {
    uint16_t headerSize;
    uint8_t magic1;
    uint8_t magic2;
    UDataInfo info;
    char padding[8];
    uint32_t count;
    uint32_t reserved;
    int fakeNameAndData[4];
} ICU_Data_Header;

__attribute__((visibility("default"))) const ICU_Data_Header ICU_DATA_SYMBOL = {
    32, 0xda, 0x27,
    {sizeof(UDataInfo), 0,
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
     1,
#else
     0,
#endif
     0 /* ASCII family */, 2 /* sizeof(UChar) */, 0,
     {0x54, 0x6f, 0x43, 0x50} /* "ToCP" */, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0, 0, 0, 0, 0, 0, 0, 0},
    0, /* no entries */
    0,
    {0, 0, 0, 0},
};
