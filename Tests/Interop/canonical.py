"""Canonical JSON values for what pyarrow reads, spelled as `lakegate parquet cat --format jsonl`
spells them, so that the two can be compared value for value.

This is an independent implementation (Python's datetime, decimal and base64 modules), so a
formatting bug in Lakegate does not cancel out against the same bug here.
"""
import base64
import datetime as dt
import decimal
import math
import uuid

import pyarrow as pa

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _civil(days):
    # Proleptic Gregorian outside datetime's range (years 1..9999).
    try:
        return dt.date.fromordinal(_EPOCH_ORDINAL + days).isoformat()
    except (ValueError, OverflowError):
        z = days + 719468
        era = (z if z >= 0 else z - 146096) // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        y = yoe + era * 400 + (1 if m <= 2 else 0)
        sign = "-" if y < 0 else "+"
        return f"{sign}{abs(y):04d}-{m:02d}-{d:02d}"


_PER_SECOND = {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}
_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def _time_text(value, unit):
    per = _PER_SECOND[unit]
    seconds, fraction = divmod(value, per)
    hours, rest = divmod(seconds, 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    digits = _DIGITS[unit]
    return text + (f".{fraction:0{digits}d}" if digits else "")


def _timestamp_text(value, unit, utc):
    per = _PER_SECOND[unit]
    seconds, fraction = divmod(value, per)
    days, second_of_day = divmod(seconds, 86400)
    text = _civil(days) + "T" + _time_text(second_of_day * per + fraction, unit)
    return text + ("Z" if utc else "")


def _float(value):
    if value is None:
        return None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def column_values(array, typ):
    """Python values of an Arrow array in canonical form."""
    if isinstance(array, pa.ChunkedArray):
        out = []
        for chunk in array.chunks:
            out.extend(column_values(chunk, typ))
        return out
    if pa.types.is_dictionary(typ):
        return column_values(array.dictionary_decode(), typ.value_type)
    if isinstance(typ, pa.BaseExtensionType):
        if typ.extension_name == "arrow.uuid":
            return [None if v is None else str(uuid.UUID(bytes=v)) for v in array.storage.to_pylist()]
        return column_values(array.storage, typ.storage_type)
    if pa.types.is_null(typ):
        return [None] * len(array)
    if pa.types.is_floating(typ):
        if pa.types.is_float16(typ):
            array = array.cast(pa.float32())
        return [_float(v) for v in array.to_pylist()]
    if pa.types.is_boolean(typ) or pa.types.is_integer(typ):
        return array.to_pylist()
    if pa.types.is_decimal(typ):
        quantum = decimal.Decimal(1).scaleb(-typ.scale)
        out = []
        for v in array.to_pylist():
            if v is None:
                out.append(None)
            else:
                q = v.quantize(quantum) if typ.scale >= 0 else v
                if q == 0:
                    q = abs(q)
                out.append(format(q, "f"))
        return out
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        return array.to_pylist()
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_fixed_size_binary(typ) \
            or pa.types.is_binary_view(typ):
        return [None if v is None else base64.b64encode(v).decode() for v in array.to_pylist()]
    if pa.types.is_date32(typ):
        raw = array.cast(pa.int32()).to_pylist()
        return [None if v is None else _civil(v) for v in raw]
    if pa.types.is_date64(typ):
        raw = array.cast(pa.int64()).to_pylist()
        return [None if v is None else _civil(v // 86400000) for v in raw]
    if pa.types.is_time(typ):
        storage = pa.int32() if pa.types.is_time32(typ) else pa.int64()
        raw = array.view(storage).to_pylist()
        unit = typ.unit
        return [None if v is None else _time_text(v, unit) for v in raw]
    if pa.types.is_timestamp(typ):
        raw = array.cast(pa.int64()).to_pylist()
        utc = typ.tz is not None
        return [None if v is None else _timestamp_text(v, typ.unit, utc) for v in raw]
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ) \
            or pa.types.is_list_view(typ):
        flat = column_values(array.values, typ.value_type)
        out = []
        offsets = array.offsets.to_pylist() if not pa.types.is_fixed_size_list(typ) else None
        for i in range(len(array)):
            if not array[i].is_valid:
                out.append(None)
            elif offsets is not None:
                out.append(flat[offsets[i] - offsets[0] + 0:offsets[i + 1] - offsets[0]] if False else
                           flat[offsets[i]:offsets[i + 1]])
            else:
                n = typ.list_size
                out.append(flat[(array.offset + i) * n:(array.offset + i + 1) * n])
        return out
    if pa.types.is_map(typ):
        keys = column_values(array.keys, typ.key_type)
        items = column_values(array.items, typ.item_type)
        offsets = array.offsets.to_pylist()
        out = []
        for i in range(len(array)):
            if not array[i].is_valid:
                out.append(None)
            else:
                out.append([{"key": keys[j], "value": items[j]} for j in range(offsets[i], offsets[i + 1])])
        return out
    if pa.types.is_struct(typ):
        children = [column_values(array.field(k), typ.field(k).type) for k in range(typ.num_fields)]
        names = [typ.field(k).name for k in range(typ.num_fields)]
        out = []
        for i in range(len(array)):
            if not array[i].is_valid:
                out.append(None)
            else:
                out.append({names[k]: children[k][i] for k in range(len(names))})
        return out
    raise TypeError(f"no canonical form for {typ}")


def table_rows(table):
    columns = [column_values(table.column(i), table.schema.field(i).type) for i in range(table.num_columns)]
    names = table.schema.names
    return [{names[c]: columns[c][r] for c in range(len(names))} for r in range(table.num_rows)]


def _as_float32(x):
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


def same(a, b):
    """Equal canonical values; floats compare exactly or after rounding both to float32
    (pyarrow widens float32 to Python floats, Lakegate prints float32's shortest form)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if a == b:
            return True
        try:
            return _as_float32(float(a)) == _as_float32(float(b))
        except OverflowError:
            return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return a == b


def first_difference(ours, theirs):
    """A short description of the first differing row, or None when equal."""
    if len(ours) != len(theirs):
        return f"row count: lakegate {len(ours)}, pyarrow {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if not same(a, b):
            return f"row {i}: lakegate {str(a)[:400]} != pyarrow {str(b)[:400]}"
    return None
