"""HarfBuzz through cffi: the package's one binding of the library Pango and
WeasyPrint shape and subset with (so it is on every machine that typesets).

- `Face`: a font file's characters and advance widths, read through the
  mapped file as they are asked for (no table is parsed up front, so a CJK
  font costs nothing to open and no memory but what its pages take);
- `subset_lib()`: the subset API as well, for writers/pdf/fontpack.py."""

from __future__ import annotations

from functools import lru_cache

from gongwen import caches
from gongwen.errors import UserError

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_font_t hb_font_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_map_t hb_map_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
typedef int32_t hb_position_t;
typedef int hb_bool_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
hb_blob_t *hb_blob_create_from_file(const char *file_name);
unsigned int hb_blob_get_length(hb_blob_t *blob);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
unsigned int hb_face_get_upem(const hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, hb_tag_t tag);
hb_font_t *hb_font_create(hb_face_t *face);
hb_bool_t hb_font_get_nominal_glyph(hb_font_t *font, hb_codepoint_t unicode, hb_codepoint_t *glyph);
hb_position_t hb_font_get_glyph_h_advance(hb_font_t *font, hb_codepoint_t glyph);
void hb_set_add_sorted_array(hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int num_codepoints);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_codepoint_t hb_map_get(const hb_map_t *map, hb_codepoint_t key);
"""
_CDEF_SUBSET = """
typedef struct hb_subset_input_t hb_subset_input_t;
typedef struct hb_subset_plan_t hb_subset_plan_t;
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_subset_plan_t *hb_subset_plan_create_or_fail(hb_face_t *face, const hb_subset_input_t *input);
void hb_subset_plan_destroy(hb_subset_plan_t *plan);
hb_face_t *hb_subset_plan_execute_or_fail(hb_subset_plan_t *plan);
const hb_map_t *hb_subset_plan_old_to_new_glyph_mapping(const hb_subset_plan_t *plan);
"""
_CORE_NAMES = ("libharfbuzz.so.0", "harfbuzz", "libharfbuzz-0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
_SUBSET_NAMES = ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset-0",
                 "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")


def _dlopen(ffi, names: tuple[str, ...]):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    return None


# The binding (_ffi, core, subset_lib) is not a cache of data and is not
# registered with gongwen.caches: it is the same for the whole process, and
# pointers made through one FFI cannot be passed to the functions of another.
@lru_cache(maxsize=None)
def _ffi():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    ffi.cdef(_CDEF_SUBSET)
    return ffi


@lru_cache(maxsize=None)
def core():
    """(ffi, libharfbuzz); a UserError if the library is not installed."""
    ffi = _ffi()
    lib = _dlopen(ffi, _CORE_NAMES)
    if lib is None:
        raise UserError("找不到 HarfBuzz 字体库（Debian 软件包 libharfbuzz0b），请先运行 bash scripts/setup.sh")
    return ffi, lib


@lru_cache(maxsize=None)
def subset_lib():
    """(ffi, libharfbuzz, libharfbuzz-subset), or None where the subset
    library or its plan API (HarfBuzz 4.0 and later) is missing."""
    ffi, lib = core()
    sub = _dlopen(ffi, _SUBSET_NAMES)
    if sub is None:
        return None
    try:
        sub.hb_subset_plan_old_to_new_glyph_mapping  # older HarfBuzz: no plan API
    except AttributeError:  # pragma: no cover - depends on the machine
        return None
    return ffi, lib, sub


def blob_bytes(blob) -> bytes:
    ffi, lib = core()
    length = ffi.new("unsigned int *")
    data = lib.hb_blob_get_data(blob, length)
    return bytes(ffi.buffer(data, length[0])) if length[0] else b""


class Face:
    """One face of a font file (`index` in a collection), kept open for the
    process: the file is mapped, not read."""

    def __init__(self, file: str, index: int = 0):
        ffi, lib = core()
        self._ffi, self._lib = ffi, lib
        blob = lib.hb_blob_create_from_file(file.encode())
        if lib.hb_blob_get_length(blob) == 0:
            lib.hb_blob_destroy(blob)
            raise UserError(f"读不出字体文件 {file}")
        face = lib.hb_face_create(blob, index)
        lib.hb_blob_destroy(blob)  # the face holds its own reference
        self._face = ffi.gc(face, lib.hb_face_destroy)
        self.upem = lib.hb_face_get_upem(face) or 1000
        self._font = lib.hb_font_create(face)  # scale = upem: advances in font units
        self._glyph = ffi.new("hb_codepoint_t *")

    def glyph(self, ch: str) -> int | None:
        """The glyph the font's best cmap gives the character, None if it has none."""
        if self._lib.hb_font_get_nominal_glyph(self._font, ord(ch), self._glyph):
            return self._glyph[0]
        return None

    def advance_em(self, ch: str) -> float | None:
        """The character's advance width in em, None if the font has no glyph for it."""
        glyph = self.glyph(ch)
        if glyph is None:
            return None
        return self._lib.hb_font_get_glyph_h_advance(self._font, glyph) / self.upem


@caches.lru("notice.harfbuzz.face")
def face(file: str, index: int = 0) -> Face:
    return Face(file, index)
