#!/usr/bin/env python3
"""The layer rules of docs/ARCHITECTURE.md, checked on the library's sources (src/):

1. no module outside src/ffi/ imports from src/ffi/ (the C boundary sits on top);
2. no import cycle between files, nor between the folders of src/ (auth/, ffi/, setup/, tls/
   and each file at the root of src/ counted as one);
3. src/auth/ is pure: it imports nothing of the crate but its own files and the prelude.

Imports are the `crate::`, `super::` and `self::` paths of production code: `use` trees and
paths written inline. Test code (#[cfg(test)] items, src/tests/, src/ffi/tests/) is left
out, since tests may reach anywhere. Prints every violation and exits 1, or prints the edge
count and exits 0. Usage: scripts/check-layers.py [SRC_DIR]    or    scripts/check-layers.py --self-test
(the checker's own tests: small trees it must pass and trees it must refuse).
"""
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--self-test" else
                      os.path.join(os.path.dirname(__file__), "..", "src"))
TEST_DIRS = ("tests",)


def exported_macros():
    """Macro name -> the module (path) whose file defines it with macro_rules!."""
    macros = {}
    for dirpath, _, filenames in os.walk(SRC):
        for f in filenames:
            if f.endswith(".rs"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
                if rel[-1] in ("lib", "mod"):
                    rel = rel[:-1]
                for m in re.finditer(r"macro_rules!\s*(\w+)", open(path, encoding="utf-8").read()):
                    macros[m.group(1)] = "::".join(rel)
    return macros


MACROS = exported_macros()


def strip_comments_and_strings(text):
    """Blanks out comments, string and char literals, keeping line structure."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            end = n if end < 0 else end + 1 + len(hashes)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'|'\\x[0-9a-fA-F]{2}'", text[i:i + 12]):
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'])'", text[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_items(text):
    """Removes every item, field, variant or arm carrying #[cfg(test)]: up to the first `;` or
    `,` outside brackets, the end of its first braced block, or the end of the block around it.
    A file whose first attribute is #![cfg(test)] is test code as a whole."""
    if re.match(r"\s*#!\[cfg\(test\)\]", text):
        return ""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        j = m.end()
        depth = 0
        while j < len(text):
            c = text[j]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break  # the end of the enclosing block: keep it
                depth -= 1
                if depth == 0 and c == "}":
                    j += 1
                    break
            elif c in ";," and depth == 0:
                j += 1
                break
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def test_modules(files):
    """Modules declared `#[cfg(test)] mod name;`: test code, with everything below them."""
    found = set()
    for mod, path in files.items():
        if path.endswith(("mod.rs", "lib.rs")):
            text = strip_comments_and_strings(open(path, encoding="utf-8").read())
            for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text):
                found.add(mod + (m.group(1),))
    return found


def reexports(files):
    """For each folder module, the names its mod.rs (or lib.rs) re-exports from a child:
    {folder: {name: child module}}, so that `super::Name` resolves to the file defining it."""
    table = {}
    for mod, path in files.items():
        if not path.endswith(("mod.rs", "lib.rs")):
            continue
        text = strip_test_items(strip_comments_and_strings(open(path, encoding="utf-8").read()))
        names = {}
        for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]*);", text):
            for p in expand_use_tree(m.group(1)):
                segs = [x for x in p.split("::") if x]
                if segs and segs[0] == "self":
                    segs = segs[1:]
                if len(segs) >= 2 and mod + (segs[0],) in files:
                    target = resolve("self::" + "::".join(segs), mod, files, {})
                    if target is not None:
                        names[segs[-1]] = target
        table[mod] = names
    return table


def module_files():
    """Module path (tuple) -> file, for every production .rs file under src/."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(SRC):
        rel = os.path.relpath(dirpath, SRC)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        if any(p in TEST_DIRS for p in parts):
            continue
        for f in filenames:
            if not f.endswith(".rs"):
                continue
            if f in ("lib.rs", "mod.rs"):
                files[parts] = os.path.join(dirpath, f)
            else:
                files[parts + (f[:-3],)] = os.path.join(dirpath, f)
    return files


def module_of(path, files):
    rel = os.path.relpath(path, SRC).split(os.sep)
    if rel[-1] in ("lib.rs", "mod.rs"):
        return tuple(rel[:-1])
    return tuple(rel[:-1]) + (rel[-1][:-3],)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"] (aliases and globs dropped)."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    depth, start = 0, None
    for idx, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = idx
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                prefix, inner, rest = tree[:start], tree[start + 1:idx], tree[idx + 1:]
                items, d, last = [], 0, 0
                for k, c in enumerate(inner):
                    if c == "{":
                        d += 1
                    elif c == "}":
                        d -= 1
                    elif c == "," and d == 0:
                        items.append(inner[last:k])
                        last = k + 1
                items.append(inner[last:])
                result = []
                for it in items:
                    if it:
                        result += expand_use_tree(prefix + it + rest)
                return result
    return [tree.rstrip(":*").replace("::self", "")]


def resolve(path, here, files, table):
    """The file a `crate::`/`super::`/`self::` path names, or None (a dependency's path)."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(here)
        # A file module's `super` is its folder; mod.rs's `super` is the folder above: both
        # are the module path minus its last segment.
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
        base = tuple(base)
    else:
        return None
    best = base if base in files else None
    mod = base
    for s in segs:
        if mod + (s,) in files:
            mod = mod + (s,)
            best = mod
        elif s in table.get(mod, {}):
            # A name the folder re-exports: the file that defines it.
            return table[mod][s]
        else:
            break
    return best


def inline_modules(text):
    """(start, end, name) of every `mod name { ... }` written inside a file."""
    spans = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", text):
        depth, k = 0, m.end() - 1
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        spans.append((m.end(), k, m.group(1)))
    return spans


def imports(file, here, files, table):
    text = strip_test_items(strip_comments_and_strings(open(file, encoding="utf-8").read()))
    text = text.replace("$crate", "crate")
    spans = inline_modules(text)
    children = {m[-1] for m in files if m[:-1] == here and len(m) == len(here) + 1}
    is_folder = file.endswith(("mod.rs", "lib.rs"))
    found = set()  # (path, module the path is written in)

    def module_at(pos):
        return here + tuple(name for start, end, name in spans if start <= pos < end)

    for m in re.finditer(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]*);", text):
        tree, at = m.group(2).strip(), module_at(m.start())
        if is_folder and m.group(1) and not re.match(r"(crate|super|self)\b", tree):
            # A folder's mod.rs re-exporting its children (`pub use child::Item;`) is
            # containment, not an import between layers.
            continue
        for path in expand_use_tree(tree):
            first = path.split("::")[0]
            if first in ("crate", "super", "self"):
                found.add((path, at))
            elif at == here and first in children:
                # `use child::Item;` names a child module relative to this one.
                found.add(("self::" + path, at))
    rest = re.sub(r"\b(pub(?:\([^)]*\))?\s+)?use\s+[^;]*;", lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", rest):
        found.add((m.group(1), module_at(m.start())))
    # The crate's macros are imports of the module that defines them (`log_err!` is log.rs).
    for m in re.finditer(r"(?:(?<![\w:])|\bcrate::)(\w+)!", rest):
        if m.group(1) in MACROS:
            found.add(("crate::" + MACROS[m.group(1)], here))
    for m in re.finditer(r"(?<![\w:])(\w+)::", rest):
        # A child module used by its bare name (`registry::get(..)`).
        if m.group(1) in children and module_at(m.start()) == here:
            found.add(("self::" + m.group(1), here))
    targets = set()
    for path, at in found:
        t = resolve(path, at, files, table)
        if t is not None and t != here:
            targets.add(t)
    return targets


def cycles(graph):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def name(mod, files):
    return "src/" + os.path.relpath(files[mod], SRC) if mod in files else "::".join(mod)


def main():
    if not os.path.isfile(os.path.join(SRC, "lib.rs")):
        print(f"check-layers: no lib.rs in {SRC}")
        return 2
    files = module_files()
    tests = test_modules(files)
    files = {m: p for m, p in files.items() if not any(m[:len(t)] == t for t in tests)}
    table = reexports(files)
    graph, problems = {}, []
    for mod, file in sorted(files.items()):
        targets = imports(file, mod, files, table)
        graph[mod] = targets
        for t in targets:
            if t[:1] == ("ffi",) and mod[:1] != ("ffi",) and mod != ():
                problems.append(f"{name(mod, files)} imports the C boundary ({name(t, files)})")
            # The crate root only holds the prelude (and the modules' declarations).
            if mod[:1] == ("auth",) and t[:1] != ("auth",) and t != ():
                problems.append(f"{name(mod, files)} (auth/ is pure) imports {name(t, files)}")
    # lib.rs declares every module; it is the root, not a layer.
    file_graph = {m: t for m, t in graph.items() if m != ()}
    for comp in cycles({m: {t for t in ts if t != ()} for m, ts in file_graph.items()}):
        problems.append("files that import each other: " + ", ".join(name(m, files) for m in comp))
    folders = {}
    for m, ts in file_graph.items():
        for t in ts:
            a, b = m[:1], t[:1]
            if a != b and b != ():
                folders.setdefault(a, set()).add(b)
    for comp in cycles(folders):
        problems.append("folders that import each other: " +
                        ", ".join(name(m, files) if m in files and len(m) == 1 and
                                  not files[m].endswith("mod.rs") else "src/" + m[0] + "/"
                                  for m in comp))
    if os.environ.get("CHECK_LAYERS_EDGES"):
        for m, ts in sorted(file_graph.items()):
            print(name(m, files), "->", ", ".join(sorted(name(t, files) for t in ts)))
    for p in problems:
        print("check-layers: " + p)
    if problems:
        return 1
    edges = sum(len(t) for t in file_graph.values())
    print(f"check-layers: {len(file_graph)} modules, {edges} imports, the rules hold")
    return 0


# Each case: files of a small src/ tree, and a fragment the report must contain (None: passes).
SELF_TESTS = [
    ("a clean tree passes",
     {"lib.rs": "mod a; mod b; mod ffi;", "a.rs": "use crate::b::X;", "b.rs": "pub struct X;",
      "ffi/mod.rs": "use crate::a;"}, None),
    ("an import of ffi from below",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "use crate::ffi::codes;", "ffi/mod.rs": "pub mod codes;",
      "ffi/codes.rs": ""}, "src/a.rs imports the C boundary"),
    ("an import of ffi through an alias",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "use crate::ffi as f;", "ffi/mod.rs": ""},
     "src/a.rs imports the C boundary"),
    ("an inline path into ffi",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "fn f() { crate::ffi::g() }", "ffi/mod.rs": "pub fn g() {}"},
     "src/a.rs imports the C boundary"),
    ("two files that import each other",
     {"lib.rs": "mod a; mod b;", "a.rs": "use crate::b::Y; pub struct X;",
      "b.rs": "pub struct Y; fn f() -> crate::a::X { todo!() }"}, "files that import each other: src/a.rs, src/b.rs"),
    ("a cycle through a macro",
     {"lib.rs": "mod hal; mod log;", "log.rs": "macro_rules! log_err { () => {} }\nuse crate::hal::print;",
      "hal.rs": "pub fn print() {} fn f() { log_err!(); }"}, "files that import each other: src/hal.rs, src/log.rs"),
    ("a cycle between siblings through their folder's re-exports",
     {"lib.rs": "mod d;", "d/mod.rs": "mod a; mod b; pub use a::A; pub use b::B;",
      "d/a.rs": "use super::B; pub struct A;", "d/b.rs": "use super::A; pub struct B;"},
     "files that import each other: src/d/a.rs, src/d/b.rs"),
    ("#[cfg(test)] on a variant keeps the code after it",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "enum E {\n #[cfg(test)]\n T,\n U,\n}\nfn f() { crate::ffi::g() }",
      "ffi/mod.rs": "pub fn g() {}"}, "src/a.rs imports the C boundary"),
    ("test code may reach anywhere",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "#[cfg(test)]\nmod tests { use crate::ffi::g; }",
      "ffi/mod.rs": "pub fn g() {}"}, None),
    ("$crate paths in macros count",
     {"lib.rs": "mod a; mod ffi;", "a.rs": "macro_rules! m { () => { use $crate::ffi::g; } }",
      "ffi/mod.rs": "pub fn g() {}"}, "src/a.rs imports the C boundary"),
    ("auth/ reaching outside itself",
     {"lib.rs": "mod auth; mod hal;", "auth/mod.rs": "mod sign;", "auth/sign.rs": "use crate::hal::x;",
      "hal.rs": "pub fn x() {}"}, "(auth/ is pure) imports src/hal.rs"),
    ("folders that import each other",
     {"lib.rs": "mod p; mod q;", "p/mod.rs": "mod x;", "p/x.rs": "use crate::q::y::Y; pub struct X;",
      "q/mod.rs": "pub mod y;", "q/y.rs": "pub struct Y; fn f(_: crate::p::x::X) {}"},
     "folders that import each other"),
]


def self_test():
    import contextlib
    import io
    import tempfile
    global SRC, MACROS
    failed = 0
    for title, tree, expected in SELF_TESTS:
        with tempfile.TemporaryDirectory() as root:
            for path, text in tree.items():
                os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
                with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                    f.write(text)
            SRC, MACROS = root, None
            MACROS = exported_macros()
            report = io.StringIO()
            with contextlib.redirect_stdout(report):
                rc = main()
            out = report.getvalue().replace(root, "src")
            ok = rc == 0 if expected is None else (rc == 1 and expected in out)
            print(("ok   " if ok else "FAIL ") + title + ("" if ok else ":\n" + out))
            failed += not ok
    print(f"check-layers self-test: {len(SELF_TESTS) - failed} of {len(SELF_TESTS)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(self_test() if sys.argv[1:] == ["--self-test"] else main())
