# seccomp.py: runs a command under the system-call filter of a systemd unit
# (its SystemCallFilter=, SystemCallArchitectures=native and
# RestrictAddressFamilies= lines), as systemd would, on a machine where systemd cannot start the unit (a
# container, a build machine).  The groups (@system-service, ~@privileged,
# ...) are expanded by `systemd-analyze syscall-filter`, the names mapped to
# this architecture's numbers from <sys/syscall.h>, and the filter is
# installed with seccomp(2) before exec.  A call outside the filter kills
# the process with SIGSYS, status 159 (stricter than the unit's
# SystemCallErrorNumber=EPERM, so that a test cannot miss it).  Used by
# t_package.sh.
# Usage: seccomp.py UNIT_FILE -- COMMAND [ARG]...
import ctypes
import os
import re
import subprocess
import sys

unit, cmd = sys.argv[1], sys.argv[3:]
assert sys.argv[2] == "--" and cmd


def groups():
    """Every @group of systemd-analyze, as name -> list of members."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True,
                         capture_output=True, text=True).stdout
    g, cur = {}, None
    for line in out.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if not line.startswith(" "):
            cur = g.setdefault(s, [])
        elif cur is not None:
            cur.append(s)
    return g


def expand(name, g):
    if not name.startswith("@"):
        return {name}
    out = set()
    for m in g.get(name, []):
        out |= expand(m, g)
    return out


def numbers():
    cpp = subprocess.run(["cpp", "-dM", "-include", "sys/syscall.h", "/dev/null"],
                         check=True, capture_output=True, text=True).stdout
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"#define __NR_(\w+) (\d+)", cpp)}


g = groups()
allow, native, families = None, False, None
FAMILY = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16,
          "AF_PACKET": 17}
with open(unit) as f:
    for line in f:
        line = line.strip()
        if line.startswith("SystemCallArchitectures=") and "native" in line:
            native = True
        if line.startswith("RestrictAddressFamilies="):
            families = [FAMILY[f] for f in line.split("=", 1)[1].split()]
        if not line.startswith("SystemCallFilter="):
            continue
        v = line.split("=", 1)[1]
        deny = v.startswith("~")
        names = set()
        for n in v.lstrip("~").split():
            names |= expand(n, g)
        if allow is None:
            assert not deny, "a deny-list filter first is not handled"
            allow = set()
        allow = allow - names if deny else allow | names
assert allow, "no SystemCallFilter= in " + unit
nr = numbers()
nums = sorted({nr[n] for n in allow if n in nr})

# Classic BPF over struct seccomp_data {int nr; u32 arch; ...}.
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06
AUDIT_ARCH_X86_64 = 0xC000003E
RET_ALLOW, RET_KILL_PROCESS = 0x7FFF0000, 0x80000000


class Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Insn))]


prog = []
if native:
    prog += [Insn(LD_W_ABS, 0, 0, 4), Insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
             Insn(RET_K, 0, 0, RET_KILL_PROCESS)]
prog.append(Insn(LD_W_ABS, 0, 0, 0))
if families is not None:
    # socket(2) with a family outside the list: killed too.  args[0] is at
    # offset 16 of seccomp_data (its low half, on little-endian x86-64).
    block = [Insn(LD_W_ABS, 0, 0, 16)]
    for f in families:
        block += [Insn(JEQ_K, 0, 1, f), Insn(RET_K, 0, 0, RET_ALLOW)]
    block.append(Insn(RET_K, 0, 0, RET_KILL_PROCESS))
    prog.append(Insn(JEQ_K, 0, len(block), nr["socket"]))
    prog += block
for n in nums:
    prog += [Insn(JEQ_K, 0, 1, n), Insn(RET_K, 0, 0, RET_ALLOW)]
prog.append(Insn(RET_K, 0, 0, RET_KILL_PROCESS))
arr = (Insn * len(prog))(*prog)
fprog = Prog(len(prog), arr)

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog),
                   0, 0) != 0:
    sys.exit("seccomp.py: cannot install the filter: " +
             os.strerror(ctypes.get_errno()))
os.execvp(cmd[0], cmd)
