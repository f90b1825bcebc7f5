#!/usr/bin/env python3
"""sockconf harness: runs sockconf cases against this interpreter's ``socket`` module.

The ``sockconf`` runner starts this file with some Python interpreter and speaks the
backend protocol (``PROTOCOL.md`` next to this file) with it: one JSON request per line on
stdin, one JSON response per line on stdout (``hello``, then any number of ``run``, then
``bye``). The runner has already turned the YAML cases into plain JSON, so this file knows
nothing of YAML; it checks a case's needs, runs its steps, and reports what each step
returned or raised. Comparing that with what the case expects is the runner's job.

    python harness.py [--patch gevent|eventlet] [--private-hostname]

``--patch`` applies ``gevent.monkey.patch_all()`` or ``eventlet.monkey_patch()`` before
``socket`` is imported. When that fails (say, the library is not installed) the process
still starts: it answers ``hello`` with ``{"ok": false, "error": ...}`` (and every ``run``
with ``status: error``) and writes the reason to stderr, so the runner can say why.
``--private-hostname`` says that the runner started this process in a UTS namespace of
its own, made for one case that sets the host name (``needs: {privileges: [hostname]}``);
without it such a case is unsupported here.

Constraints: one file, standard library only, runs unchanged on CPython 3.6 to 3.13, PyPy
and RustPython. Hence no f-strings, walrus, dataclasses or type annotations.
"""

import os
import sys

PROTOCOL_VERSION = 2
PATCHES = ("gevent", "eventlet")
USAGE = "usage: harness.py [--patch gevent|eventlet] [--private-hostname]"


# --------------------------------------------------------------------------------------
# Command line and monkey-patching. This must run before anything imports `socket`, so
# only `os` and `sys` (imported by the interpreter at start-up anyway) come before it.
# --------------------------------------------------------------------------------------

def parse_command_line(argv):
    """Return (the patch named on the command line or None, whether the process has a
    private host name namespace); exit 2 on a bad command line."""
    patch = None
    private_hostname = False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--private-hostname":
            private_hostname = True
        elif arg == "--patch" and rest:
            patch = rest.pop(0)
        elif arg.startswith("--patch="):
            patch = arg[len("--patch="):]
        elif arg in ("-h", "--help"):
            sys.stderr.write(USAGE + "\n")
            sys.exit(0)
        else:
            sys.stderr.write("harness.py: unexpected argument %r\n%s\n" % (arg, USAGE))
            sys.exit(2)
    if patch is not None and patch not in PATCHES:
        sys.stderr.write("harness.py: unknown patch %r\n%s\n" % (patch, USAGE))
        sys.exit(2)
    return patch, private_hostname


def apply_patch(patch):
    """Monkey-patch the standard library with `patch`; return (library version, error)."""
    if patch is None:
        return None, None
    try:
        if patch == "gevent":
            import gevent.monkey
            gevent.monkey.patch_all()
        else:
            import eventlet
            eventlet.monkey_patch()
    except Exception as exc:  # ImportError above all, but a failing patch is as fatal
        error = "--patch %s failed: %s: %s" % (patch, type(exc).__name__, exc)
        sys.stderr.write("harness.py: %s\n" % error)
        return None, error
    version = getattr(sys.modules.get(patch), "__version__", None)
    return (version if isinstance(version, str) else None), None


if __name__ == "__main__":
    PATCH, PRIVATE_HOSTNAME = parse_command_line(sys.argv[1:])
else:  # imported (e.g. by a test): never patch
    PATCH, PRIVATE_HOSTNAME = None, False
PATCH_VERSION, PATCH_ERROR = apply_patch(PATCH)

# Everything else is imported only now, after the patch, on purpose.
import builtins  # noqa: E402
import enum  # noqa: E402
import errno  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

# Deeper values than this (and self-containing ones) are reported as opaque objects.
MAX_DEPTH = 64
# An opaque object's repr is cut to this many characters.
MAX_REPR = 4000
# bytes/bytearray longer than this go out as a summary, keeping this many first bytes.
SUMMARY_LIMIT = 65536
SUMMARY_HEAD = 32
# Decimal digits converted at a time: CPython 3.11 (and the security releases of 3.7 to
# 3.10) refuse str(int) / int(str) beyond 4300 digits, but the protocol allows any size.
DIGIT_CHUNK = 1000
# Socket types tried, in order, to decide whether a family is usable here.
FAMILY_PROBE_TYPES = ("SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW")
PRIVILEGES_REASON = "privileged cases need a private namespace (not implemented)"
HOSTNAME_REASON = "setting the host name needs a private UTS namespace, which the runner makes for the case"
PRIVILEGES = ("net_admin", "net_raw", "hostname")


class BadRequest(Exception):
    """The request cannot be carried out (malformed, unknown ref): `status: error`."""


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

def safe_getattr(obj, name, default=None):
    """getattr that also survives attributes whose lookup raises something odd."""
    try:
        return getattr(obj, name, default)
    except Exception:
        return default


def plain_text(text):
    """`text` made safe for a plain JSON string field (message, repr, reason).

    Plain strings are not wire values and have no "surrogates" flag, so a lone surrogate
    in them is written as the six characters backslash, 'u', and four hex digits.
    """
    try:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    except Exception:
        return ascii(text)[1:-1]


def safe_str(obj):
    try:
        return plain_text(str(obj))
    except Exception as exc:
        return "<str() raised %s>" % type(exc).__name__


def safe_repr(obj):
    try:
        text = plain_text(repr(obj))
    except Exception as exc:
        return "<repr() raised %s>" % type(exc).__name__
    if len(text) > MAX_REPR:
        text = text[:MAX_REPR] + "...[truncated]"
    return text


def describe(exc):
    """One-line description of an exception, for reasons."""
    return "%s: %s" % (type_name(type(exc)), safe_str(exc))


def type_name(cls):
    """Builtins by bare name (`int`, `OSError`), everything else `module.qualname`."""
    name = safe_getattr(cls, "__qualname__") or safe_getattr(cls, "__name__") or "?"
    module = safe_getattr(cls, "__module__")
    if not isinstance(module, str) or module in ("builtins", "__builtin__"):
        return plain_text(name)
    return plain_text(module + "." + name)


def mro_names(cls):
    mro = safe_getattr(cls, "__mro__") or (cls,)
    return [type_name(c) for c in mro]


def int_to_decimal(value):
    """str(value) for an int of any size."""
    try:
        return str(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        pass
    sign = "-" if value < 0 else ""
    value = abs(value)
    base = 10 ** DIGIT_CHUNK
    chunks = []
    while value:
        value, chunk = divmod(value, base)
        chunks.append(chunk)
    chunks.reverse()
    rest = "".join("%0*d" % (DIGIT_CHUNK, chunk) for chunk in chunks[1:])
    return sign + str(chunks[0]) + rest


def decimal_to_int(text):
    """int(text) for a decimal string ("-"? digits) of any length; BadRequest otherwise."""
    if not isinstance(text, str):
        raise BadRequest("an int must be a decimal string, not %s" % json.dumps(text))
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not digits or digits.strip("0123456789"):
        raise BadRequest("not a decimal integer: %s" % json.dumps(text))
    value = 0
    for start in range(0, len(digits), DIGIT_CHUNK):
        chunk = digits[start:start + DIGIT_CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return -value if negative else value


def version_string(info):
    """'3.11.7', or '3.13.0rc1' for a pre-release, from a sys.version_info-like tuple."""
    text = "%d.%d.%d" % (info[0], info[1], info[2])
    level = safe_getattr(info, "releaselevel", "final")
    if level != "final":
        text += {"alpha": "a", "beta": "b", "candidate": "rc"}.get(level, level)
        text += str(safe_getattr(info, "serial", 0))
    return text


def close_quietly(obj):
    try:
        obj.close()
    except Exception:
        pass


# --------------------------------------------------------------------------------------
# Tables about this interpreter: errno names, EAI names, constants
# --------------------------------------------------------------------------------------

_EAI_NAMES = None


def eai_names():
    """{value: name} of the socket.EAI_* constants (the alphabetically first per value)."""
    global _EAI_NAMES
    if _EAI_NAMES is None:
        _EAI_NAMES = {}
        for name in sorted(dir(socket)):
            value = safe_getattr(socket, name)
            if name.startswith("EAI_") and isinstance(value, int):
                _EAI_NAMES.setdefault(int(value), name)
    return _EAI_NAMES


def errno_name(exc, number):
    """The symbolic name of an exception's errno, per PROTOCOL.md."""
    if number is None:
        return None
    gaierror = safe_getattr(socket, "gaierror", ())
    herror = safe_getattr(socket, "herror", ())
    if isinstance(exc, gaierror):
        return eai_names().get(number)
    if isinstance(exc, herror):
        return None  # an h_errno code: errno.errorcode would give a wrong name
    return errno.errorcode.get(number)


def int_table(module):
    """{NAME: value} for the upper-case int attributes of `module` (enum members included)."""
    table = {}
    for name in dir(module):
        if not (name[:1].isalpha() and name.upper() == name):
            continue
        value = safe_getattr(module, name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = int(value)
            if -2 ** 63 <= value < 2 ** 64:  # what any JSON reader takes as an integer
                table[name] = value
    return table


def os_name():
    name = sys.platform
    if name.startswith("linux"):
        return "linux"
    if name == "darwin":
        return "macos"
    if name == "win32":
        return "windows"
    if name.startswith("freebsd"):
        return "freebsd"
    return name


def machine_name():
    """platform.machine(), with the usual aliases unified (as Rust names them)."""
    try:
        machine = (platform.machine() or "unknown").lower()
    except Exception:
        machine = "unknown"
    aliases = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64",
               "i386": "x86", "i486": "x86", "i586": "x86", "i686": "x86"}
    return aliases.get(machine, machine)


def kernel_release():
    try:
        return platform.release() or "unknown"
    except Exception:
        return "unknown"


def hello_info():
    try:
        python_version = platform.python_version()
    except Exception:
        python_version = version_string(sys.version_info)
    byte_order = "little-endian" if sys.byteorder == "little" else "big-endian"
    arch = machine_name()
    return {
        "protocol": PROTOCOL_VERSION,
        "implementation": sys.implementation.name,
        "version": version_string(sys.implementation.version),
        "python_version": python_version,
        "executable": plain_text(sys.executable or ""),
        "platform": {
            "os": os_name(),
            "arch": arch,
            "kernel": kernel_release(),
            # "unix": any POSIX system, as the docs' "Availability: Unix" means it.
            "tags": [os_name(), byte_order, arch] + (["unix"] if os.name == "posix" else []),
        },
        "patch": PATCH,
        "patch_version": PATCH_VERSION,
        # This backend's errno values, so that the runner can check `errno: ENAME` by value
        # (errno_name gives one name per value: EAGAIN, never its alias EWOULDBLOCK).
        "errno_values": int_table(errno),
        # Classes the socket module binds under another name than their own (PyPy's
        # socket.timeout is _socket.timeout; gevent's socket.socket is its own class), so
        # that the runner compares classes by identity, not by __module__.
        "type_aliases": type_aliases(),
    }


def type_aliases():
    """{qualified class name: ["socket.NAME", ...]} for the module's classes."""
    table = {}
    for name in sorted(dir(socket)):
        obj = safe_getattr(socket, name)
        if isinstance(obj, type):
            alias = "socket." + name
            qualified = type_name(obj)
            if qualified != alias:
                table.setdefault(qualified, []).append(alias)
    return table


# --------------------------------------------------------------------------------------
# One case: saved objects, object identities, encoding and decoding of wire values
# --------------------------------------------------------------------------------------

class Case(object):
    """The state of the case being run; `finish()` cleans it up."""

    def __init__(self):
        self.saved = {}       # name -> raw Python value saved by a step
        self.ever_saved = []  # every value saved, even if later unbound: closed at the end
        self.unbound = {}     # name -> why a `save` did not happen (the step raised)
        self.objects = []     # opaque objects in order of first sight; keeps them alive
        self.numbers = {}     # id(object) -> its number (1-based index into self.objects)
        self.active = set()   # id()s of the containers being encoded (cycle detection)
        self.tmpdir = None    # the case's private temporary folder, made on first use
        # The case runs in a fresh empty working folder of its own, so that a relative path
        # (bind("x.sock"), open("f")) never lands in the folder the runner was started from.
        self.home = os.getcwd()
        self.workdir = tempfile.mkdtemp(prefix="sockconf-cwd-")
        os.chdir(self.workdir)

    def tmppath(self, name):
        """A path inside the case's temporary folder (`{"tmppath": NAME}`)."""
        if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
            raise BadRequest("a tmppath must be a plain file name")
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="sockconf-")
        return os.path.join(self.tmpdir, name)

    # -- identities ------------------------------------------------------------------

    def number(self, obj):
        """The per-case id of `obj`: assigned on first sight, the same for the same object.

        The object is kept referenced until the case ends, so its id() cannot be reused.
        """
        key = id(obj)
        if key not in self.numbers:
            self.objects.append(obj)
            self.numbers[key] = len(self.objects)
        return self.numbers[key]

    def opaque(self, obj):
        return {"object": type_name(type(obj)), "repr": safe_repr(obj), "id": self.number(obj)}

    # -- encoding (Python -> wire) ---------------------------------------------------

    def encode(self, value, depth=0):
        """The wire form of `value` (PROTOCOL.md, "Wire values").

        Types are matched exactly: a subclass of int, str, tuple, ... is not that type on
        the wire and goes out as an opaque object, except int-based enum members.
        """
        if depth > MAX_DEPTH:
            return self.opaque(value)
        cls = type(value)
        if value is None or cls is bool:  # bool before anything int-like
            return value
        if isinstance(value, enum.Enum) and isinstance(value, int):
            return self.encode_enum(value)
        if cls is int:
            return {"int": int_to_decimal(value)}
        if cls is float:
            return {"float": repr(value)}
        if cls is str:
            return encode_str(value)
        if cls is bytes or cls is bytearray:
            return encode_byte_string(value)
        if cls is tuple or cls is list or isinstance(value, BaseException):
            return self.encode_container(value, depth)
        if isinstance(value, type):
            return {"class": type_name(value), "mro": mro_names(value)}
        return self.opaque(value)

    def encode_container(self, value, depth):
        """Tuples, lists and exceptions: the values that can contain themselves."""
        key = id(value)
        if key in self.active:
            return self.opaque(value)
        self.active.add(key)
        try:
            if isinstance(value, BaseException):
                return {"exception": self.encode_exception(value, depth)}
            items = [self.encode(item, depth + 1) for item in value]
            return {"tuple" if type(value) is tuple else "list": items}
        finally:
            self.active.discard(key)

    def encode_enum(self, member):
        # Python < 3.11 gives None as the name of an IntFlag combination; 3.11+ "A|B".
        name = safe_getattr(member, "name")
        return {
            "enum": type_name(type(member)),
            "name": name if isinstance(name, str) else None,
            "int": int_to_decimal(int(member)),
        }

    def encode_exception(self, exc, depth=0):
        """EXC of PROTOCOL.md. `errno` is a plain JSON integer, or null when not an int."""
        args = safe_getattr(exc, "args", ())
        if type(args) is not tuple:
            try:
                args = tuple(args)
            except Exception:
                args = ()
        number = safe_getattr(exc, "errno")
        if isinstance(number, int) and not isinstance(number, bool):
            number = int(number)
        else:
            number = None
        encoded = {
            "type": type_name(type(exc)),
            "mro": mro_names(type(exc)),
            "args": {"tuple": [self.encode(arg, depth + 1) for arg in args]},
            "errno": number,
            "errno_name": errno_name(exc, number),
            "strerror": self.encode(safe_getattr(exc, "strerror"), depth + 1),
            "message": safe_str(exc),
        }
        group = safe_getattr(exc, "exceptions")
        if type(group) is tuple and all(isinstance(e, BaseException) for e in group):
            encoded["exceptions"] = [self.encode_exception(e, depth + 1) for e in group]
        return encoded

    # -- decoding (wire -> Python) -----------------------------------------------------

    def decode(self, wire, depth=0):
        """The Python value of an input wire value; BadRequest when it is not one."""
        if depth > MAX_DEPTH:
            raise BadRequest("input value nested too deeply")
        if wire is None or wire is True or wire is False:
            return wire
        if not isinstance(wire, dict):
            raise BadRequest("not a wire value: %s" % json.dumps(wire)[:200])
        tags = [key for key in wire if key in DECODERS]
        if len(tags) != 1:
            raise BadRequest("not a wire value: %s" % json.dumps(wire)[:200])
        return DECODERS[tags[0]](self, wire[tags[0]], depth)

    def decode_items(self, items, depth):
        if not isinstance(items, list):
            raise BadRequest("tuple/list items must be a JSON array")
        return [self.decode(item, depth + 1) for item in items]

    def lookup_ref(self, name):
        if not isinstance(name, str):
            raise BadRequest("a ref must name a saved object")
        if name in self.saved:
            return self.saved[name]
        if name in self.unbound:
            raise BadRequest("nothing saved as %r: %s" % (name, self.unbound[name]))
        raise BadRequest("unknown ref %r (no earlier step saved it)" % name)

    # -- clean-up --------------------------------------------------------------------

    def finish(self):
        """Close what the case opened, forget it, and reset module state.

        Saved objects with close() are closed (PROTOCOL.md); so is every socket the case
        returned without saving (accept()'s connection, dup(), ...), so that interpreters
        without reference counting (PyPy) do not pile up file descriptors.
        """
        saved_ids = set(id(value) for value in self.ever_saved)
        candidates = self.objects + [v for v in self.ever_saved if id(v) not in self.numbers]
        for obj in reversed(candidates):
            if (id(obj) in saved_ids and closeable(obj)) or is_socket(obj):
                close_quietly(obj)
        seen_any = bool(candidates)
        self.saved.clear()
        self.ever_saved = []
        self.unbound.clear()
        self.objects = []
        self.numbers.clear()
        self.active.clear()
        try:
            socket.setdefaulttimeout(None)
        except Exception:
            pass
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        if self.workdir is not None:
            try:
                os.chdir(self.home)
            except OSError:  # the folder we came from is gone: anywhere but the workdir
                os.chdir(tempfile.gettempdir())
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if seen_any and sys.implementation.name != "cpython":
            gc.collect()  # let a tracing GC finalise what the case dropped


def encode_byte_string(value):
    """`bytes`/`bytearray` on the wire; beyond SUMMARY_LIMIT bytes, as a summary (type,
    length, SHA-256 digest, first bytes), so that responses stay small."""
    kind = "bytes" if type(value) is bytes else "bytearray"
    if len(value) <= SUMMARY_LIMIT:
        return {kind: bytes(value).hex()}
    return {"summary": {"type": kind, "len": len(value),
                        "sha256": hashlib.sha256(value).hexdigest(),
                        "head": bytes(value[:SUMMARY_HEAD]).hex()}}


def encode_str(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (surrogateescape). json.dumps (ensure_ascii) writes each one
        # as a \udcXX escape, which is what the protocol asks for.
        return {"str": text, "surrogates": True}
    return {"str": text}


def closeable(obj):
    """Has a close() worth calling: instances only, never a class or a module."""
    if isinstance(obj, (type, types.ModuleType)):
        return False
    return callable(safe_getattr(obj, "close"))


def is_socket(obj):
    classes = tuple(c for c in (safe_getattr(socket, "socket"), safe_getattr(socket, "SocketType"))
                    if isinstance(c, type))
    return bool(classes) and isinstance(obj, classes) and not isinstance(obj, type)


def decode_const(case, name, depth):
    """{"const": NAME}: socket.NAME. A name the module lacks raises AttributeError, as
    `socket.NAME` in Python code does: the step's outcome, not a bad request."""
    if not isinstance(name, str):
        raise BadRequest("a constant name must be a string, not %s" % json.dumps(name))
    return getattr(socket, name)


def decode_flags(case, names, depth):
    """{"flags": [NAME, ...]}: the bitwise OR of socket constants, as a plain int."""
    if not isinstance(names, list) or not names:
        raise BadRequest("flags must be a non-empty list of constant names")
    result = 0
    for name in names:
        result |= int(decode_const(case, name, depth))
    return result


def decode_errno(case, name, depth):
    """{"errno": NAME}: this platform's value of errno.NAME."""
    if not isinstance(name, str) or not hasattr(errno, name):
        raise BadRequest("no errno.%s here" % (name,))
    return getattr(errno, name)


def decode_real(kind):
    """{"decimal": TEXT} / {"fraction": TEXT}: a decimal.Decimal / fractions.Fraction."""
    def decode(case, text, depth):
        if not isinstance(text, str):
            raise BadRequest("a %s must be given as a string" % kind)
        if kind == "decimal":
            import decimal
            return decimal.Decimal(text)
        import fractions
        return fractions.Fraction(text)
    return decode


def decode_bytes(text, kind):
    if not isinstance(text, str):
        raise BadRequest("%s must be a hex string" % kind)
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise BadRequest("%s: not a hex string: %s" % (kind, json.dumps(text)[:200]))


def decode_float(text):
    if not isinstance(text, str):
        raise BadRequest("a float must be a string (its repr)")
    try:
        return float(text)
    except ValueError:
        raise BadRequest("not a float: %s" % json.dumps(text)[:200])


def decode_str(text):
    if not isinstance(text, str):
        raise BadRequest("a str must be a JSON string")
    return text  # json.loads has already turned \udcXX escapes into lone surrogates


# Input tags -> decoder(case, payload, depth). A bytearray is a new object every time.
DECODERS = {
    "int": lambda case, v, depth: decimal_to_int(v),
    "float": lambda case, v, depth: decode_float(v),
    "str": lambda case, v, depth: decode_str(v),
    "bytes": lambda case, v, depth: decode_bytes(v, "bytes"),
    "bytearray": lambda case, v, depth: bytearray(decode_bytes(v, "bytearray")),
    "tuple": lambda case, v, depth: tuple(case.decode_items(v, depth)),
    "list": lambda case, v, depth: case.decode_items(v, depth),
    "const": decode_const,
    "ref": lambda case, v, depth: case.lookup_ref(v),
    "tmppath": lambda case, v, depth: case.tmppath(v),
    "flags": decode_flags,
    "errno": decode_errno,
    "decimal": decode_real("decimal"),
    "fraction": decode_real("fraction"),
}


# --------------------------------------------------------------------------------------
# Needs
# --------------------------------------------------------------------------------------

NEED_KEYS = ("families", "ipv6", "privileges", "sockets")


def name_list(mapping, key):
    """mapping[key] as a list of names ([] when absent); BadRequest when it is not one."""
    names = mapping.get(key)
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadRequest("%s must be a list of names" % key)
    return names


def family_problem(name):
    """None when a socket of family socket.NAME can be created here, else why not."""
    family = safe_getattr(socket, name)
    if family is None:
        return "socket.%s is missing" % name
    last = None
    for kind_name in FAMILY_PROBE_TYPES:
        kind = safe_getattr(socket, kind_name)
        if kind is None:
            continue
        try:
            sock = socket.socket(family, kind)
        except Exception as exc:  # OSError mostly; anything else means "not here" too
            last = exc
            continue
        close_quietly(sock)
        return None
    return "cannot create a %s socket here (%s)" % (name, describe(last) if last else "no type")


def socket_problem(names):
    """None when socket(FAMILY, TYPE, PROTO) of these constant names can be created here,
    else why not."""
    if not (isinstance(names, list) and len(names) == 3
            and all(isinstance(n, str) for n in names)):
        raise BadRequest("needs.sockets holds [FAMILY, TYPE, PROTO] name triples")
    numbers = []
    for name in names:
        value = safe_getattr(socket, name)
        if value is None:
            return "socket.%s is missing" % name
        numbers.append(value)
    try:
        sock = socket.socket(*numbers)
    except Exception as exc:
        return "cannot create a socket(%s) here (%s)" % (", ".join(names), describe(exc))
    close_quietly(sock)
    return None


def ipv6_problem():
    if not safe_getattr(socket, "has_ipv6", False):
        return "socket.has_ipv6 is false"
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        try:
            sock.bind(("::1", 0))
        finally:
            close_quietly(sock)
    except Exception as exc:
        return "cannot bind ('::1', 0) (%s)" % describe(exc)
    return None


def missing_needs(needs):
    """The reasons the case cannot run here (empty: it can)."""
    if needs is None:
        needs = {}
    if not isinstance(needs, dict):
        raise BadRequest("needs must be an object")
    unknown = sorted(set(needs) - set(NEED_KEYS))
    if unknown:
        raise BadRequest("unknown needs: %s" % ", ".join(unknown))
    reasons = []
    for name in name_list(needs, "families"):
        problem = family_problem(name)
        if problem:
            reasons.append(problem)
    ipv6 = needs.get("ipv6", False)
    if ipv6 not in (None, True, False):
        raise BadRequest("needs.ipv6 must be a boolean")
    if ipv6:
        problem = ipv6_problem()
        if problem:
            reasons.append(problem)
    for names in needs.get("sockets") or []:
        problem = socket_problem(names)
        if problem:
            reasons.append(problem)
    privileges = name_list(needs, "privileges")
    unknown = sorted(set(privileges) - set(PRIVILEGES))
    if unknown:
        raise BadRequest("unknown privileges: %s" % ", ".join(unknown))
    if "hostname" in privileges and not PRIVATE_HOSTNAME:
        reasons.append(HOSTNAME_REASON)
    if set(privileges) - set(["hostname"]):
        reasons.append(PRIVILEGES_REASON)
    return reasons


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------

class Step(object):
    """One validated step of a run request."""

    def __init__(self, raw, number):
        if not isinstance(raw, dict):
            raise BadRequest("step %d is not an object" % number)
        self.number = number
        self.kind = raw.get("kind")
        if self.kind not in ("call", "get"):
            raise BadRequest("step %d: kind must be call or get, not %s"
                             % (number, json.dumps(self.kind)))
        target = raw.get("target")
        if not isinstance(target, str) or not all(target.split(".")):
            raise BadRequest("step %d: target must be a dotted path" % number)
        self.path = target.split(".")
        self.root = raw.get("root", "module")
        if self.root not in ("module", "saved", "builtins"):
            raise BadRequest("step %d: root must be module, saved or builtins" % number)
        self.args = raw.get("args")
        self.args = [] if self.args is None else self.args
        self.kwargs = raw.get("kwargs")
        self.kwargs = {} if self.kwargs is None else self.kwargs
        if not isinstance(self.args, list) or not isinstance(self.kwargs, dict):
            raise BadRequest("step %d: args must be a list and kwargs an object" % number)
        if self.kind == "get" and (self.args or self.kwargs):
            raise BadRequest("step %d: a get takes no args or kwargs" % number)
        self.save = raw.get("save")
        if self.save is not None and not (isinstance(self.save, str) and self.save):
            raise BadRequest("step %d: save must be a name" % number)
        self.expect = raw.get("expect", "any")
        if self.expect is None:
            self.expect = "any"
        if self.expect not in ("return", "raise", "any"):
            raise BadRequest("step %d: expect must be return, raise or any" % number)
        self.observe = raw.get("observe", False) is True
        self.interrupt = raw.get("interrupt")
        if self.interrupt is not None and not Interrupt.valid(self.interrupt):
            raise BadRequest("step %d: interrupt must be {after: seconds above 0 and below 60, "
                             "handler: returns or raises}" % number)


class Observer(object):
    """What an observed step did besides its result: the `socket.*` audit events (one
    hook for the whole process, installed at start-up on Python 3.8+, records only while
    a step is observed) and the warnings (caught around the step)."""

    events = None  # the list being filled, while a step is observed

    @classmethod
    def hook(cls, event, args):
        # An audit hook must never raise: it would make the audited call fail.
        try:
            log = cls.events
            if log is not None and event.startswith("socket."):
                log.append((event, args))
        except Exception:
            pass


AUDIT_HOOKS = hasattr(sys, "addaudithook")
if AUDIT_HOOKS:
    sys.addaudithook(Observer.hook)


class Interrupt(object):
    """A step's `interrupt`: SIGALRM `after` seconds into the step, with a Python handler
    (`signal.signal`) that counts its runs and, for `handler: raises`, raises
    RuntimeError. The handler acts only while the step's call itself runs (`in_call`, set
    by run_step just around the call): a signal that lands in harness code before or
    after the call is ignored, so it never turns into an outcome of its own."""

    AVAILABLE = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")  # not on Windows
    MESSAGE = "raised by the signal handler"

    in_call = False  # True just around the step's call (run_step)
    raises = False
    runs = 0

    @staticmethod
    def valid(wire):
        """Whether `wire` is a well-formed `interrupt` of a run request."""
        if not isinstance(wire, dict):
            return False
        after = wire.get("after")
        return (isinstance(after, (int, float)) and not isinstance(after, bool)
                and 0 < after < 60 and wire.get("handler") in ("returns", "raises"))

    @classmethod
    def handler(cls, signum, frame):
        if not cls.in_call:
            return
        cls.runs += 1
        if cls.raises:
            raise RuntimeError(cls.MESSAGE)


def interrupted_step(case, step):
    """Run one step (observed_step), delivering its `interrupt` signal while it runs, and
    add `"signals"`: how many times the handler ran during the call (`None` where
    signal.setitimer is missing)."""
    if step.interrupt is None:
        return observed_step(case, step)
    if not Interrupt.AVAILABLE:
        entry, outcome = observed_step(case, step)
        entry["signals"] = None
        return entry, outcome
    Interrupt.runs = 0
    Interrupt.raises = step.interrupt["handler"] == "raises"
    previous = signal.signal(signal.SIGALRM, Interrupt.handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, step.interrupt["after"])
        try:
            entry, outcome = observed_step(case, step)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        # None: the previous handler was not installed from Python (leave the default).
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
    entry["signals"] = Interrupt.runs
    return entry, outcome


def observed_step(case, step):
    """Run one step, observing its audit events and warnings when it asks for it."""
    if not step.observe:
        return run_step(case, step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Observer.events = [] if AUDIT_HOOKS else None
        try:
            entry, outcome = run_step(case, step)
        finally:
            events, Observer.events = Observer.events, None
    entry["audit"] = None if events is None else [
        case.encode((name, tuple(args))) for name, args in events]
    entry["warnings"] = [case.encode(w.message) for w in caught]
    return entry, outcome


def run_step(case, step):
    """Run one step; return (response entry, "return" or "raise")."""
    if step.root == "saved":
        start, names = case.lookup_ref(step.path[0]), step.path[1:]
    elif step.root == "builtins":
        start, names = builtins, step.path
    else:
        start, names = socket, step.path
    began = time.perf_counter()
    try:
        # A missing attribute on the way, or a !const input the module lacks, is an outcome
        # (AttributeError), not a bad request.
        value = start
        for name in names:
            value = value[int(name)] if name.isdigit() else getattr(value, name)
        if step.kind == "call":
            args = [case.decode(arg) for arg in step.args]
            kwargs = dict((key, case.decode(value)) for key, value in step.kwargs.items())
            Interrupt.in_call = True
            try:
                value = value(*args, **kwargs)
            finally:
                Interrupt.in_call = False
    except BadRequest:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit, GreenletExit, ... are outcomes too
        elapsed = time.perf_counter() - began
        if step.save:
            case.saved.pop(step.save, None)
            case.unbound[step.save] = "step %d raised %s" % (step.number, type_name(type(exc)))
        return {"raised": case.encode_exception(exc), "elapsed": elapsed}, "raise"
    elapsed = time.perf_counter() - began
    if step.save:
        case.saved[step.save] = value
        case.ever_saved.append(value)
        case.unbound.pop(step.save, None)
    # Encoded at once: a later step may change the object (a bytearray buffer, ...).
    return {"returned": case.encode(value), "elapsed": elapsed}, "return"


def expected_consts(case, names):
    """{NAME: wire value} of the constants the case's expectations name (`consts`).

    The runner needs this backend's own value of `!const NAME` to compare a plain int with
    it. A name socket lacks is left out (the expectation then cannot match).
    """
    found = {}
    for name in names:
        if hasattr(socket, name):
            found[name] = case.encode(getattr(socket, name))
    return found


def run_case(request):
    """The response to a `run` request."""
    case_id = request.get("id")
    if PATCH_ERROR:
        return {"id": case_id, "status": "error", "reason": PATCH_ERROR, "steps": []}
    raw_steps = request.get("steps")
    if not isinstance(raw_steps, list):
        return {"id": case_id, "status": "error", "reason": "steps must be a list", "steps": []}
    case = Case()
    observed = []
    try:
        # Validate every step before running any, so a bad step 5 does not run 1 to 4.
        steps = [Step(raw, number) for number, raw in enumerate(raw_steps, 1)]
        reasons = missing_needs(request.get("needs"))
        if reasons:
            return {"id": case_id, "status": "unsupported", "reason": "; ".join(reasons),
                    "steps": []}
        wanted = name_list(request, "consts")
        for step in steps:
            try:
                entry, outcome = interrupted_step(case, step)
            except BadRequest as exc:
                raise BadRequest("step %d: %s" % (step.number, exc))
            observed.append(entry)
            report_progress({"progress": {"id": case_id, "done": entry}})
            if step.expect != "any" and outcome != step.expect:
                break
        response = {"id": case_id, "status": "ran", "steps": observed,
                    "consts": expected_consts(case, wanted)}
        if case.tmpdir is not None:
            response["tmpdir"] = case.tmpdir
        return response
    except BadRequest as exc:
        # The steps run so far are kept, for diagnostics.
        return {"id": case_id, "status": "error", "reason": plain_text(str(exc)),
                "steps": observed}
    finally:
        case.finish()


# --------------------------------------------------------------------------------------
# The protocol loop
# --------------------------------------------------------------------------------------

class Channel(object):
    """The protocol's stdin/stdout, kept private from the code the cases run.

    The real stdout and stdin are duplicated; file descriptor 1 then points at stderr and
    0 at the null device, and sys.stdout is sys.stderr. Whatever a case prints (even from
    C code) lands on stderr, and nothing a case does can read our requests.
    """

    def __init__(self):
        try:
            self.output = os.fdopen(os.dup(1), "wb")
            self.input = os.fdopen(os.dup(0), "rb")
        except Exception:  # no dup() here: use the standard streams as they are
            self.output = sys.stdout.buffer
            self.input = sys.stdin.buffer
        else:
            try:
                os.dup2(2, 1)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.close(null)
            except Exception:
                pass
        sys.stdout = sys.stderr

    def read_line(self):
        """The next request line as bytes, or None at end of input."""
        line = self.input.readline()
        return line if line else None

    def write(self, response):
        # ensure_ascii: the line is plain ASCII, and lone surrogates come out as \udcXX.
        try:
            text = json.dumps(response, ensure_ascii=True, allow_nan=False,
                              separators=(",", ":"))
        except Exception as exc:  # a harness bug; still answer with one valid line
            text = json.dumps({"ok": False, "id": response.get("id"), "status": "error",
                               "reason": "harness could not encode its response: "
                                         + describe(exc), "steps": []})
        self.output.write(text.encode("ascii") + b"\n")
        self.output.flush()


def handle(line):
    """The response to one request line, and whether to stop afterwards."""
    try:
        request = json.loads(line.decode("utf-8"))
    except Exception as exc:  # bad UTF-8, bad JSON, or nesting too deep for the parser
        return {"ok": False, "error": "malformed request line: %s" % safe_str(exc)}, False
    if not isinstance(request, dict):
        return {"ok": False, "error": "a request must be a JSON object"}, False
    op = request.get("op")
    if op == "run":
        try:
            return run_case(request), False
        except Exception as exc:  # a bug in this file; report it, keep going
            traceback.print_exc()
            return {"id": request.get("id"), "status": "error",
                    "reason": "harness bug: " + describe(exc), "steps": []}, False
    if op == "hello":
        return hello(request), False
    if op == "bye":
        return {"ok": True}, True
    return {"ok": False, "error": "unknown op %s" % json.dumps(op)[:100]}, False


def hello(request):
    protocol = request.get("protocol", PROTOCOL_VERSION)
    try:
        response = hello_info()
    except Exception as exc:
        traceback.print_exc()
        return {"ok": False, "protocol": PROTOCOL_VERSION, "error": "hello: " + describe(exc)}
    if protocol != PROTOCOL_VERSION:
        response["ok"] = False
        response["error"] = "this harness speaks protocol %d, not %s" % (
            PROTOCOL_VERSION, json.dumps(protocol)[:50])
    elif PATCH_ERROR:
        response["ok"] = False
        response["error"] = PATCH_ERROR
    else:
        response["ok"] = True
    return response


def report_progress(line):
    """Tells the runner of a completed step (a `progress` line), so that a case that then
    hangs or kills the interpreter still shows what ran. Set up by main()."""


def main():
    global report_progress
    channel = Channel()
    report_progress = channel.write
    while True:
        line = channel.read_line()
        if line is None:
            return 0  # end of input: the runner is done with us
        if not line.strip():
            continue
        try:
            response, stop = handle(line)
        except Exception as exc:  # last line of defence: never die on one request
            traceback.print_exc()
            response, stop = {"ok": False, "error": "harness bug: " + describe(exc)}, False
        try:
            channel.write(response)
        except (IOError, OSError) as exc:  # the runner has gone away
            sys.stderr.write("harness.py: cannot write a response: %s\n" % exc)
            return 1
        if stop:
            return 0


if __name__ == "__main__":
    sys.exit(main())
