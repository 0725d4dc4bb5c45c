#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Symbols of the installed libraries (usage: check_symbols.py LIBDIR INCDIR).

- Every defined global symbol of every installed .a and .so starts with
  netdma_ or NETDMA: an application that links them, even statically,
  meets no name of ours outside that prefix.
- Each .so exports, in its NETDMA_0.1 version node, exactly the functions
  and variables its installed headers declare (no internal function leaks,
  no public one is missing from version.map); only libnetdma has another
  node, NETDMA_INTERNAL, for this project's own drivers (as DPDK's INTERNAL).
- No symbol is in two archives, but for libnetdma.a and libnetdma_client.a
  (alternatives, each with the pure core): a provider's archive carries
  its own objects only, linked with libnetdma.a.
- In the archives, every other symbol has hidden visibility (-fvisibility=
  hidden), so an application's shared object linking them does not
  export our internals either.
Prints one line per problem; exit 1 if any.
"""
import os
import re
import subprocess
import sys

# the installed headers whose declarations each library implements
LIBS = {
    'libnetdma': ['netdma.h', 'netdma_lcore.h', 'netdma_types.h', 'netdma_wdk.h',
                  'netdma_chain.h', 'netdma_engine.h', 'netdma_provider.h',
                  'netdma_soft_provider.h'],
    'libnetdma_client': ['netdma.h', 'netdma_types.h', 'netdma_client.h'],
    'libnetdma_cpu': ['netdma_cpu.h'],
    'libnetdma_dmadev': ['netdma_dmadev.h'],
}
PREFIX = re.compile(r'^(netdma_|NETDMA)')


def unmarked(name):
    """A symbol's own name: AddressSanitizer (gcc) adds, for each global
    variable, __odr_asan.NAME, its one-definition-rule marker."""
    return name[len('__odr_asan.'):] if name.startswith('__odr_asan.') else name


def statements(text):
    """The top-level declarations of a header, one string each: no
    comments, no preprocessor lines, no bodies (of structs or of static
    inline functions)."""
    text = re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.S)
    text = re.sub(r'#ifdef __cplusplus.*?#endif', ' ', text, flags=re.S)
    text = re.sub(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)
    out, cur, depth = [], '', 0
    for ch in text:
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
            # the end of a function's body ends its definition
            if depth == 0 and cur.rstrip().endswith(')'):
                cur = ''
        elif depth == 0:
            if ch == ';':
                out.append(' '.join(cur.split()))
                cur = ''
            else:
                cur += ch
    return out


def declared(incdir, headers):
    """The functions and variables the headers declare."""
    names = set()
    for h in headers:
        with open(os.path.join(incdir, h)) as f:
            for st in statements(f.read()):
                if re.match(r'(typedef|static)\b', st):
                    continue
                m = re.match(r'[^(]*?\b(netdma_\w+) ?\(', st)   # name(: a function
                if m is None:
                    m = re.match(r'extern\b[^(]*?\b(netdma_\w+)( ?\[.*\])?$', st)
                if m is not None:
                    names.add(m.group(1))
    return names


def nm(args, path):
    out = subprocess.run(['nm'] + args + [path], check=True, capture_output=True,
                         text=True).stdout
    # "addr type name" (defined only); archive member headers have one field
    return {unmarked(f[2]) for f in (line.split() for line in out.splitlines()) if len(f) == 3}


def versions(path):
    """{name: version node} of the defined dynamic symbols."""
    out = subprocess.run(['objdump', '-T', path], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        # addr flags... section size version name; undefined ones are *UND*
        if len(f) >= 4 and '*UND*' not in f and re.fullmatch(r'[0-9a-f]{16}', f[0]):
            syms[f[-1]] = f[-2].strip('()')
    return syms


def default_visibility(path):
    """The defined global symbols of an archive with default visibility."""
    out = subprocess.run(['readelf', '-sW', path], check=True, capture_output=True,
                         text=True).stdout
    # Num: Value Size Type Bind Vis Ndx Name
    return {unmarked(f[7]) for f in (line.split() for line in out.splitlines())
            if len(f) == 8 and f[4] in ('GLOBAL', 'WEAK') and f[5] == 'DEFAULT'
            and f[6] != 'UND'}


def main(libdir, incdir):
    problems = []
    exported = set()
    for lib, headers in LIBS.items():
        for suffix, args in (('.a', ['-g', '--defined-only']), ('.so', ['-D', '--defined-only'])):
            path = os.path.join(libdir, lib + suffix)
            if not os.path.exists(path):
                problems.append(f'{path}: not installed')
                continue
            # version nodes too (an absolute symbol each): NETDMA_0.1...
            for s in sorted(nm(args, path)):
                if not PREFIX.match(s):
                    problems.append(f'{lib}{suffix}: exports {s} (not netdma_/NETDMA)')
        path = os.path.join(libdir, lib + '.so')
        if not os.path.exists(path):
            continue
        want = declared(incdir, headers)
        syms = versions(path)
        exported |= set(syms)
        public = {s for s, v in syms.items() if v == 'NETDMA_0.1' and s != v}
        for s in sorted(want - public):
            problems.append(f'{lib}.so: {s} is declared in its headers but not exported '
                            f'(version.map)')
        for s in sorted(public - want):
            problems.append(f'{lib}.so: exports {s}, declared in none of {", ".join(headers)}')
        for s, v in sorted(syms.items()):
            if v not in ('NETDMA_0.1', 'NETDMA_INTERNAL') and s != v:
                problems.append(f'{lib}.so: {s} in version node {v}')
            if v == 'NETDMA_INTERNAL' and s != v and lib != 'libnetdma':
                problems.append(f'{lib}.so: {s} in NETDMA_INTERNAL (only libnetdma has one)')
    defined = {lib: nm(['-g', '--defined-only'], os.path.join(libdir, lib + '.a'))
               for lib in LIBS if os.path.exists(os.path.join(libdir, lib + '.a'))}
    for a in defined:
        for b in defined:
            if a < b and {a, b} != {'libnetdma', 'libnetdma_client'}:
                for s in sorted(defined[a] & defined[b]):
                    problems.append(f'{s} is in both {a}.a and {b}.a')
    # the pure objects in libnetdma_client.a are exported by libnetdma.so
    for lib in LIBS:
        path = os.path.join(libdir, lib + '.a')
        if os.path.exists(path):
            for s in sorted(default_visibility(path) - exported):
                problems.append(f'{lib}.a: {s} has default visibility but no .so exports it')
    for p in problems:
        print(p)
    print(f'symbols: {len(LIBS) * 2} libraries checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
