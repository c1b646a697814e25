#!/usr/bin/env python3
"""Score `sakimori hunt events --sigma` on a simulated fleet against the simulator's truth.

Independent of sakimori: this script reads the simulator's truth (DIR/truth/truth.json),
the endpoint event logs the simulator wrote (DIR/logs/events/<site>/<HOST>.json, both
shipper shapes: Winlogbeat's winlog.event_data and NXLog's flat records), SigmaHQ's
rule files as published (only to read value lists out of them), and sakimori's output
(findings as JSON lines, the stderr summary). It never reads sakimori's code.

WHAT THE TRUTH SAYS, AND WHAT THE LOGS ADD
------------------------------------------
truth.json lists every victim with `renamed_powershell` (the path of powershell.exe
copied under the browser name `attacker.powershell_renamed_to`, or null when PowerShell
ran from System32 "from memory only") and `evidence`, the sources the simulator wrote
traces to: `sysmon` (Sysmon 1 of each daily re-launch, OriginalFileName PowerShell.EXE),
`security_4688` (a 4688 of the re-launch survives: not before a Security clear, not
overwritten in a wrapped log), `powershell` (classic 400 naming the binary in
HostApplication, 4104 of the stager). The re-launch is always `<exe> -nop -w hidden -enc
<UTF-16LE base64>`, parent the Task Scheduler's svchost.

The truth does NOT record (a) whether a host's 4688s carry the command line (audit
policy, `logs.cmdline_share`), (b) whether its site enables module logging (4103), and
(c) the administrators' and SCCM's benign `powershell.exe ... -EncodedCommand` runs
(noise, parent CcmExec.exe) on clean hosts. Those are derived from the events the
simulator wrote, never from sakimori's output: every process-creation record (Sysmon 1,
Security 4688), classic 400 and Operational 4103 is read and classified as
  attack   on a truth victim: the image is the truth's renamed path (or System32's
           powershell.exe on a victim without one) and the parent is svchost.exe with the
           re-launch's command line (or none: 4688 without command-line auditing);
  admin    System32's powershell.exe with -EncodedCommand under C:\\Windows\\CCM\\CcmExec.exe;
  benign   everything else (everyday processes).
Any PowerShell-looking record that fits neither attack nor admin is an error of this
oracle (the simulator changed), reported as such. The truth and the logs are then
checked against each other: `sysmon` in evidence iff attack Sysmon 1 records exist,
`security_4688` iff attack 4688 records exist, `powershell` iff an attack 400 exists.

WHO "RAN IT" AND WHOSE LOGS "SHOW IT" (host level, the pass criterion)
---------------------------------------------------------------------
renamed group (PowerShell under a browser's name): truth victims whose
  renamed_powershell is set. Their logs show it where a record ties the browser-named
  binary to PowerShell: a Sysmon 1 (OriginalFileName/Description say PowerShell) or the
  PowerShell engine's own 400/4103 (HostApplication = the browser-named binary). A 4688
  names the binary but cannot say it is PowerShell: on a host whose process creations
  are 4688 only, the OriginalFileName rules are expected to be UNDECIDED for those
  records (a field the source lacks), never matched, never silently non-matching; the
  stderr summary must say so. Such a host still "shows it" through its 400s, which
  every victim with event logs has (the engine start is always logged).
encoded group (an encoded command ran): every truth victim (the re-launch always uses
  -enc) and every host with an admin -EncodedCommand run. Its logs show it where a
  process-creation record carries the command line: Sysmon 1, or a 4688 with command-line
  auditing. A 4688 without the command line, or 400s only, do not (these rules read
  process_creation).
Pass: for each group, every host whose logs show it has a finding of a rule of the group
(recall 100%), and no host outside "ran it" has one, except hosts the published rule's
own text predicts on the simulator's benign noise (see "rule false positives" below):
those are reported, by rule, with the record, and do not fail the test.

WHAT EACH RULE IS EXPECTED TO DO (record level, the engine check)
----------------------------------------------------------------
Each rule's detection is re-stated below in three-valued logic (true, false, undecided
when a field the record's source cannot supply decides it: 4688 has Image
(NewProcessName), ParentImage (ParentProcessName) and CommandLine, nothing else; a 4688
without command-line auditing has CommandLine "" - present and empty, so decided).
Values compare case-insensitively, as Sigma says. Every record expected to match must
be a finding of that rule (by file and line, record id checked), every finding must be
expected, and the undecided count on stderr must equal the records that are undecided.
  0ba1da6d proc_creation_win_renamed_binary_highly_relevant (replaces the obsolete
           "Renamed PowerShell" d178a2d7, proc_creation_win_renamed_powershell.yml, which
           this SigmaHQ release no longer has): selection on Description/Product/
           OriginalFileName, `not filter` on Image|endswith. Sysmon 1 of the renamed
           binary: match. powershell.exe (admin, unrenamed victims): filtered. 4688:
           the selection is undecided; a 4688 whose image ends with a filter name is
           decided false, every other 4688 (benign ones too) is undecided.
  30a8cb77 posh_pc_renamed_powershell (400): HostName=ConsoleHost and HostApplication not
           starting with powershell / C:\\Windows\\System32\\WindowsPowerShell\\...\\powershell.
           Attack 400 of the renamed binary: match; of System32 powershell.exe
           (`HostApplication=powershell.exe -nop ...`): filtered.
           RULE FALSE POSITIVE: the admin runs' HostApplication is the quoted path
           `"C:\\Windows\\System32\\...\\powershell.exe" -NoLogo ...`; the leading quote
           defeats every filter, so the rule fires on them (as it would on Windows).
  d7326048 rules-threat-hunting posh_pc_alternate_powershell_hosts (400): the same with
           `?:\\Windows...` filters (`?` one character): the quote is before `C:`, so the
           admin runs match too (RULE FALSE POSITIVE), the renamed attack runs match.
  64e8e417 posh_pm_alternate_powershell_hosts (4103, module logging only): ContextInfo
           `*` and not `= powershell`, `= C:\\Windows\\System32\\...`: attack 4103 of the
           renamed binary match; admin 4103 (`= "C:\\...`) match (RULE FALSE POSITIVE).
  ca2092a1 proc_creation_win_powershell_base64_encoded_cmd and
  b9d9cc83 proc_creation_win_powershell_base64_encoded_cmd_patterns: selection_img is
           Image|endswith powershell.exe OR OriginalFileName PowerShell.EXE; the command
           line must hold ` -e`/` -enc ` and a listed base64 start (` SQBFAFgA`: "IEX" in
           UTF-16LE, the attack's). Sysmon 1 of every attack launch: match. 4688 with
           command line: System32 powershell.exe match; the renamed binary is UNDECIDED
           (Image decides false, OriginalFileName absent). Admin runs: no listed start
           (RwBl.., WwBT..: "Get-", "[S") and b9d9cc83's ` -enco` flag is not enough: false.
  fb843269 proc_creation_win_powershell_encode: Image|endswith powershell.exe only. The
           renamed binary is out of its reach (decided false, a published blind spot);
           unrenamed attack launches and admin runs with a command line match.
  88f680b8 proc_creation_win_powershell_base64_iex and fdb62a13 ..._base64_frombase64string:
           CommandLine only (base64offset of "IEX ([", "::FromBase64String", and their
           UTF-16LE forms). The attack's decoded command is
           `IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(...)))`:
           every attack launch with a command line matches, whatever the image (so the
           renamed 4688-only hosts are caught by these two). Admin runs: false.
  f26c6093 proc_creation_win_powershell_base64_hidden_flag: ` hidden ` and encoded
           keywords (bitsadmin /transfer, chunk_size, IO.Compression, CreateRemoteThread,
           ...) that neither the attack's nor the admins' commands contain: no finding
           anywhere, and nothing undecided (the keywords decide false on every record).
The decoded plaintext of every -enc/-EncodedCommand is checked to hold what the above
assumes (IEX ([, ::FromBase64String for the attack; none for the admins).

Usage: score_sigma.py SIM_DIR SIGMA_ROOT GROUP_FINDINGS GROUP_STDERR [CONTROL_FINDINGS CONTROL_STDERR]
Exit 0 when everything holds, 1 otherwise; the report goes to stdout.
"""
import base64, collections, glob, json, os, re, sys

import yaml

sim, sigma_root, group_findings, group_stderr = sys.argv[1:5]
control = sys.argv[5:7] if len(sys.argv) >= 7 else None

failures = []
notes = []


def fail(msg):
    failures.append(msg)


truth = json.load(open(os.path.join(sim, "truth", "truth.json")))
victims = {v["host"]: v for v in truth["compromised_hosts"]}
browser = truth["attacker"]["powershell_renamed_to"].lower()
PS_SYS = "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe"
unknown = set(truth.get("unknown_hosts", []))

RULE_FILES = {
    "0ba1da6d-b6ce-4366-828c-18826c9de23e": "rules/windows/process_creation/proc_creation_win_renamed_binary_highly_relevant.yml",
    "30a8cb77-8eb3-4cfb-8e79-ad457c5a4592": "rules/windows/powershell/powershell_classic/posh_pc_renamed_powershell.yml",
    "d7326048-328b-4d5e-98af-86e84b17c765": "rules-threat-hunting/windows/powershell/powershell_classic/posh_pc_alternate_powershell_hosts.yml",
    "64e8e417-c19a-475a-8d19-98ea705394cc": "rules/windows/powershell/powershell_module/posh_pm_alternate_powershell_hosts.yml",
    "ca2092a1-c273-4878-9b4b-0d60115bf5ea": "rules/windows/process_creation/proc_creation_win_powershell_base64_encoded_cmd.yml",
    "b9d9cc83-380b-4ba3-8d8f-60c0e7e2930c": "rules/windows/process_creation/proc_creation_win_powershell_base64_encoded_cmd_patterns.yml",
    "fb843269-508c-4b76-8b8d-88679db22ce7": "rules/windows/process_creation/proc_creation_win_powershell_encode.yml",
    "88f680b8-070e-402c-ae11-d2914f2257f1": "rules/windows/process_creation/proc_creation_win_powershell_base64_iex.yml",
    "fdb62a13-9a81-4e5c-a38f-ea93a16f6d7c": "rules/windows/process_creation/proc_creation_win_powershell_base64_frombase64string.yml",
    "f26c6093-6f14-4b12-800f-0fcb46f5ffd0": "rules/windows/process_creation/proc_creation_win_powershell_base64_hidden_flag.yml",
}
RENAMED = ["0ba1da6d-b6ce-4366-828c-18826c9de23e", "30a8cb77-8eb3-4cfb-8e79-ad457c5a4592",
           "d7326048-328b-4d5e-98af-86e84b17c765", "64e8e417-c19a-475a-8d19-98ea705394cc"]
ENCODED = ["ca2092a1-c273-4878-9b4b-0d60115bf5ea", "b9d9cc83-380b-4ba3-8d8f-60c0e7e2930c",
           "fb843269-508c-4b76-8b8d-88679db22ce7", "88f680b8-070e-402c-ae11-d2914f2257f1",
           "fdb62a13-9a81-4e5c-a38f-ea93a16f6d7c", "f26c6093-6f14-4b12-800f-0fcb46f5ffd0"]
rules = {}
for rid, rel in RULE_FILES.items():
    doc = yaml.safe_load(open(os.path.join(sigma_root, rel), encoding="utf-8"))
    if doc.get("id") != rid:
        fail(f"{rel}: id {doc.get('id')} is not {rid} (the SigmaHQ release changed: re-check this scorer)")
    rules[rid] = doc
title = {rid: rules[rid]["title"] for rid in rules}
short = {rid: os.path.basename(rel)[:-4] for rid, rel in RULE_FILES.items()}

# ---- three-valued helpers --------------------------------------------------------------
U = None  # undecided


def AND(*xs):
    if any(x is False for x in xs): return False
    return U if any(x is U for x in xs) else True


def OR(*xs):
    if any(x is True for x in xs): return True
    return U if any(x is U for x in xs) else False


def NOT(x):
    return U if x is U else not x


def vals(rec, field):
    """The field's values (a list: classic PowerShell's unnamed Data are several), or None."""
    return rec["f"].get(field)


def _any(rec, field, pred, pats):
    vs = vals(rec, field)
    if vs is None: return U
    if isinstance(pats, str): pats = [pats]
    return any(pred(v.lower(), p.lower()) for v in vs for p in pats)


def contains(rec, f, p): return _any(rec, f, lambda v, p: p in v, p)
def endswith(rec, f, p): return _any(rec, f, lambda v, p: v.endswith(p), p)
def startswith(rec, f, p): return _any(rec, f, lambda v, p: v.startswith(p), p)
def equals(rec, f, p): return _any(rec, f, lambda v, p: v == p, p)


def contains_all(rec, f, pats):
    vs = vals(rec, f)
    if vs is None: return U
    return any(all(p.lower() in v.lower() for p in pats) for v in vs)


def glob_contains(rec, f, pats):
    """contains with Sigma's `?` (one character) and `*` wildcards."""
    vs = vals(rec, f)
    if vs is None: return U
    for p in ([pats] if isinstance(pats, str) else pats):
        rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p), re.I | re.S)
        if any(rx.search(v) for v in vs): return True
    return False


def b64offsets(value):
    """pySigma's base64offset: the three alignments, trimmed where they depend on neighbours."""
    out = []
    for i in range(3):
        enc = base64.b64encode(b" " * i + value.encode()).decode()
        start = (0, 2, 3)[i]
        end = len(enc) - (0, 3, 2)[(len(value) + i) % 3]
        out.append(enc[start:end])
    return out


def sel(rule, name):
    return rules[rule]["detection"][name]


# ---- each rule restated (see the header) ------------------------------------------------
def img_ps(rec, rule):
    s = sel(rule, "selection_img")
    return OR(endswith(rec, "Image", s[0]["Image|endswith"]), equals(rec, "OriginalFileName", s[1]["OriginalFileName"]))


def r_0ba1(rec):
    r = "0ba1da6d-b6ce-4366-828c-18826c9de23e"
    s = sel(r, "selection")
    parts = []
    for item in s:
        (k, v), = item.items()
        field, _, mod = k.partition("|")
        parts.append(startswith(rec, field, v) if mod == "startswith" else equals(rec, field, v))
    return AND(OR(*parts), NOT(endswith(rec, "Image", sel(r, "filter")["Image|endswith"])))


def r_30a8(rec):
    r = "30a8cb77-8eb3-4cfb-8e79-ad457c5a4592"
    re_f = vals(rec, "Data")
    rx = re.compile(sel(r, "filter_main_host_application_null")["Data|re"])
    f_null = U if re_f is None else any(rx.search(v) for v in re_f)
    return AND(contains(rec, "Data", sel(r, "selection")["Data|contains"]),
               NOT(OR(contains(rec, "Data", sel(r, "filter_main_ps")["Data|contains"]), f_null)))


def r_d732(rec):
    r = "d7326048-328b-4d5e-98af-86e84b17c765"
    return AND(contains(rec, "Data", sel(r, "selection")["Data|contains"]),
               NOT(glob_contains(rec, "Data", sel(r, "filter_main_ps")["Data|contains"])),
               NOT(contains(rec, "Data", sel(r, "filter_optional_citrix")["Data|contains"])),
               NOT(contains(rec, "Data", sel(r, "filter_optional_hexnode")["Data|contains"])))


def r_64e8(rec):
    r = "64e8e417-c19a-475a-8d19-98ea705394cc"
    d = rules[r]["detection"]
    ctx = vals(rec, "ContextInfo")
    selection = U if ctx is None else True  # contains '*': any value
    filters = [contains(rec, "ContextInfo", d[k]["ContextInfo|contains"]) for k in
               ("filter_powershell", "filter_sdiagnhost", "filter_citrix", "filter_adace", "filter_winrm")]
    filters.append(contains(rec, "Payload", d["filter_help_update"]["Payload|contains"]))
    return AND(selection, NOT(OR(*filters)))


def r_ca20(rec):
    r = "ca2092a1-c273-4878-9b4b-0d60115bf5ea"
    cli = AND(contains(rec, "CommandLine", sel(r, "selection_cli_enc")["CommandLine|contains"]),
              contains(rec, "CommandLine", sel(r, "selection_cli_content")["CommandLine|contains"]))
    std = contains(rec, "CommandLine", sel(r, "selection_standalone")["CommandLine|contains"])
    flt = contains(rec, "CommandLine", sel(r, "filter_optional_remote_signed")["CommandLine|contains"])
    return AND(img_ps(rec, r), OR(cli, std), NOT(flt))


def r_b9d9(rec):
    r = "b9d9cc83-380b-4ba3-8d8f-60c0e7e2930c"
    return AND(img_ps(rec, r), contains(rec, "CommandLine", sel(r, "selection_flags")["CommandLine|contains"]),
               contains(rec, "CommandLine", sel(r, "selection_encoded")["CommandLine|contains"]),
               NOT(contains(rec, "ParentImage", sel(r, "filter_gcworker")["ParentImage|contains"])))


def r_fb84(rec):
    r = "fb843269-508c-4b76-8b8d-88679db22ce7"
    s = sel(r, "selection")
    return AND(endswith(rec, "Image", s["Image|endswith"]), contains(rec, "CommandLine", s["CommandLine|contains"]),
               NOT(contains(rec, "CommandLine", sel(r, "filter_encoding")["CommandLine|contains"])),
               NOT(contains(rec, "ParentImage", sel(r, "filter_azure")["ParentImage|contains"])))


def b64_rule(rule):
    def f(rec):
        parts = []
        for item in sel(rule, "selection"):
            (k, v), = item.items()
            v = [v] if isinstance(v, str) else v
            if k == "CommandLine|base64offset|contains":
                parts.append(contains(rec, "CommandLine", [x for p in v for x in b64offsets(p)]))
            elif k == "CommandLine|contains":
                parts.append(contains(rec, "CommandLine", v))
            else:
                raise SystemExit(f"score_sigma: {short[rule]}: unexpected key {k}")
        return OR(*parts)
    return f


def r_f26c(rec):
    r = "f26c6093-6f14-4b12-800f-0fcb46f5ffd0"
    return AND(img_ps(rec, r), contains(rec, "CommandLine", sel(r, "selection_hidden")["CommandLine|contains"]),
               contains(rec, "CommandLine", sel(r, "selection_encoded")["CommandLine|contains"]))


PROC = ("sysmon1", "4688")
EVAL = {
    "0ba1da6d-b6ce-4366-828c-18826c9de23e": (PROC, r_0ba1),
    "30a8cb77-8eb3-4cfb-8e79-ad457c5a4592": (("ps400",), r_30a8),
    "d7326048-328b-4d5e-98af-86e84b17c765": (("ps400",), r_d732),
    "64e8e417-c19a-475a-8d19-98ea705394cc": (("ps4103",), r_64e8),
    "ca2092a1-c273-4878-9b4b-0d60115bf5ea": (PROC, r_ca20),
    "b9d9cc83-380b-4ba3-8d8f-60c0e7e2930c": (PROC, r_b9d9),
    "fb843269-508c-4b76-8b8d-88679db22ce7": (PROC, r_fb84),
    "88f680b8-070e-402c-ae11-d2914f2257f1": (PROC, b64_rule("88f680b8-070e-402c-ae11-d2914f2257f1")),
    "fdb62a13-9a81-4e5c-a38f-ea93a16f6d7c": (PROC, b64_rule("fdb62a13-9a81-4e5c-a38f-ea93a16f6d7c")),
    "f26c6093-6f14-4b12-800f-0fcb46f5ffd0": (PROC, r_f26c),
}

# ---- the simulator's event logs ---------------------------------------------------------
NX_ENVELOPE = {"EventTime", "Hostname", "EventID", "SourceName", "ProviderGuid", "Channel", "RecordNumber",
               "EventType", "SourceModuleName", "SourceModuleType"}
SYSMON = "Microsoft-Windows-Sysmon/Operational"
PSOP = "Microsoft-Windows-PowerShell/Operational"


def read_log(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        r = json.loads(line)
        if "winlog" in r:
            w = r["winlog"]
            yield n, w["channel"], int(w["event_id"]), int(w["record_id"]), w["computer_name"], w.get("event_data", {}), "param"
        else:
            yield n, r["Channel"], int(r["EventID"]), int(r["RecordNumber"]), r["Hostname"], \
                {k: v for k, v in r.items() if k not in NX_ENVELOPE}, "Data"


def decode_enc(cmd):
    m = re.search(r"(?i)\s-(?:enc|encodedcommand)\s+([A-Za-z0-9+/=]+)", cmd or "")
    if not m: return None
    try:
        return base64.b64decode(m.group(1)).decode("utf-16-le")
    except Exception:
        return "<undecodable>"


hosts = {}       # host -> facts
records = []     # process / 400 / 4103 records, normalised
files = sorted(glob.glob(os.path.join(sim, "logs", "events", "*", "*.json")))
for path in files:
    host = os.path.basename(path)[:-5]
    v = victims.get(host)
    attack_img = None
    if v:
        attack_img = (v["renamed_powershell"] or PS_SYS).lower()
    hf = hosts[host] = {"path": os.path.abspath(path), "victim": v is not None, "sysmon": False, "cmdline": None,
                        "module": False, "attack": collections.Counter(), "admin": collections.Counter(),
                        "computer": set()}
    for line, ch, eid, rid, computer, data, unnamed in read_log(path):
        hf["computer"].add(computer)
        if ch == SYSMON: hf["sysmon"] = True
        if ch == PSOP and eid == 4103: hf["module"] = True
        if ch == SYSMON and eid == 1:
            src = "sysmon1"
            f = {k: [data[k]] for k in ("Image", "CommandLine", "OriginalFileName", "ParentImage", "Description",
                                        "Product", "Company", "ParentCommandLine") if k in data}
        elif ch == "Security" and eid == 4688:
            src = "4688"
            f = {"Image": [data["NewProcessName"]], "ParentImage": [data["ParentProcessName"]],
                 "CommandLine": [data.get("CommandLine", "")]}
            if data.get("CommandLine"): hf["cmdline"] = True
            elif hf["cmdline"] is None: hf["cmdline"] = False
        elif ch == "Windows PowerShell" and eid == 400:
            src = "ps400"
            f = {"Data": [data[k] for k in sorted(data) if re.fullmatch(unnamed + r"\d+", k)]}
        elif ch == PSOP and eid == 4103:
            src = "ps4103"
            f = {k: [data[k]] for k in ("ContextInfo", "Payload") if k in data}
        else:
            continue
        # classify
        if src in PROC:
            img, cmd, par = f["Image"][0].lower(), f.get("CommandLine", [""])[0], f["ParentImage"][0].lower()
            app = cmd
        else:
            blob = "\n".join(f.get("Data", []) + f.get("ContextInfo", []))
            m = re.search(r"Host ?Application ?= ?(.*?)\r?\n", blob)
            app = m.group(1) if m else ""
            img = cmd = par = None
        kind = "benign"
        looks_ps = "powershell" in app.lower() or (img is not None and "powershell" in img) or \
            re.search(r"(?i)\s-(enc|encodedcommand)\s", app) is not None
        exe = (attack_img or "").rsplit("\\", 1)[-1]
        if src in PROC:
            if v and img == attack_img and par.endswith("\\svchost.exe") and \
                    (cmd == "" or re.fullmatch(re.escape(exe) + r" -nop -w hidden -enc [A-Za-z0-9+/=]+", cmd, re.I)):
                kind = "attack"
            elif img == PS_SYS and par == "c:\\windows\\ccm\\ccmexec.exe" and \
                    (cmd == "" or "-EncodedCommand" in cmd):
                kind = "admin"
            elif looks_ps or (v and img == attack_img):
                fail(f"oracle: {host} {path}:{line} record {rid}: a PowerShell-like process record neither attack "
                     f"nor admin ({img!r}, {cmd[:80]!r}): the simulator changed, update score_sigma.py")
        else:
            if v and re.fullmatch(re.escape(exe) + r" -nop -w hidden -enc [A-Za-z0-9+/=]+", app, re.I):
                kind = "attack"
            elif app.startswith('"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"') and "-EncodedCommand" in app:
                kind = "admin"
            else:
                fail(f"oracle: {host} {path}:{line} record {rid}: a {src} whose HostApplication is neither attack nor "
                     f"admin ({app[:80]!r})")
        plain = decode_enc(app) if kind != "benign" else None
        if kind == "attack" and plain is not None and not ("IEX ([" in plain and "::FromBase64String" in plain):
            fail(f"oracle: {host} record {rid}: the attack's encoded command decodes to {plain[:80]!r}")
        if kind == "admin" and plain is not None and ("iex" in plain.lower() or "frombase64string" in plain.lower()):
            fail(f"oracle: {host} record {rid}: an admin command decodes to {plain[:80]!r}")
        key = src + ("+cmd" if src == "4688" and cmd else "")
        if kind != "benign":
            hf[kind][key] += 1
        records.append({"host": host, "path": hf["path"], "line": line, "rid": rid, "src": src, "f": f, "kind": kind,
                        "computer": computer,
                        "renamed": bool(v and v["renamed_powershell"]), "cmd": cmd})

# ---- truth against the logs ---------------------------------------------------------------
for h, v in victims.items():
    ev = set(v["evidence"])
    hf = hosts.get(h)
    if v["renamed_powershell"] and not v["renamed_powershell"].lower().endswith("\\" + browser):
        fail(f"truth: {h}: renamed_powershell {v['renamed_powershell']} is not {browser}")
    if hf is None:
        if ev & {"sysmon", "security_4688", "powershell"}:
            fail(f"truth: {h} has endpoint evidence {sorted(ev)} but no event log file")
        continue
    a = hf["attack"]
    for name, have in (("sysmon", a["sysmon1"] > 0), ("security_4688", a["4688"] + a["4688+cmd"] > 0),
                       ("powershell", a["ps400"] > 0)):
        if (name in ev) != have:
            fail(f"truth: {h}: evidence {'lists' if name in ev else 'lacks'} {name} but the logs "
                 f"{'hold' if have else 'hold no'} such attack record ({dict(a)})")
for h in unknown:
    if h in hosts:
        fail(f"truth: {h} is listed as without event logs but has {hosts[h]['path']}")

# ---- expected, record by record ----------------------------------------------------------
expected = collections.defaultdict(set)     # rule -> {(host, line)}
undecided = collections.Counter()           # rule -> records
n_4688 = sum(1 for rec in records if rec["src"] == "4688")
undecided_hosts = collections.defaultdict(set)
by_key = {}
for rec in records:
    by_key[(rec["host"], rec["line"])] = rec
    for rule, (srcs, fn) in EVAL.items():
        if rec["src"] not in srcs: continue
        r = fn(rec)
        if r is True:
            expected[rule].add((rec["host"], rec["line"]))
        elif r is U:
            undecided[rule] += 1
            if rec["kind"] != "benign": undecided_hosts[rule].add(rec["host"])

# the fields of Security 4688 (version 2), and the Sigma names that stand for them
FIELDS_4688 = {"SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "NewProcessId",
               "NewProcessName", "TokenElevationType", "ProcessId", "CommandLine", "TargetUserSid",
               "TargetUserName", "TargetDomainName", "TargetLogonId", "ParentProcessName", "MandatoryLabel",
               "Image", "ParentImage", "ParentProcessId"}
SYSTEM = {"EventID", "Channel", "Computer", "Provider_Name"}


def rule_lacks_on_4688(doc):
    """The fields a process_creation rule names that 4688 has no counterpart for."""
    names = set()
    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                name = k.split("|")[0]
                if name: names.add(name)
                walk(x)
        elif isinstance(v, list):
            for x in v: walk(x)
    if (doc.get("logsource") or {}).get("category") != "process_creation": return set()
    for k, v in doc["detection"].items():
        if k != "condition": walk(v)   # the identifiers' values: their keys are field names
    return {n for n in names if n not in FIELDS_4688 and n not in SYSTEM}


def show(rec):
    """The record's fields for a report line: the HostApplication line of PowerShell's blobs."""
    out = {}
    for k, vs in rec["f"].items():
        v = max(vs, key=len) if vs else ""
        m = re.search(r"Host ?Application ?= ?[^\r\n]*", v) if k in ("Data", "ContextInfo") else None
        out[k] = (m.group(0) if m else v)[:160]
    return json.dumps(out)


# ---- sakimori's findings ---------------------------------------------------------------
path2host = {hf["path"]: h for h, hf in hosts.items()}


def load_findings(path):
    got = collections.defaultdict(list)   # rule id -> [(host, line, rid, finding)]
    n = 0
    for ln, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip(): continue
        n += 1
        f = json.loads(line)
        rid = f["rule"]["id"]
        evs = f.get("evidence") or []
        if len(evs) != 1 or f.get("count") != 1 or f.get("engine") != "sigma":
            fail(f"finding {path}:{ln}: expected one evidence reference, count 1, engine sigma ({line[:200]})")
        for e in evs:
            h = path2host.get(os.path.abspath(e["path"]))
            if h is None:
                fail(f"finding {path}:{ln}: evidence path {e['path']} is no host's log")
                continue
            got[rid].append((h, e.get("line"), e.get("record_id"), f))
    return got, n


got, n_group = load_findings(group_findings)
err = open(group_stderr, encoding="utf-8", errors="replace").read()
und_line = {}
for m in re.finditer(r"not fully judged: (.+?): (\d+) events of a source that lacks a field it needs \(([^\n]*)\)", err):
    und_line[m.group(1)] = (int(m.group(2)), m.group(3))

print(f"fleet: {truth['hosts']} hosts, {len(hosts)} with event logs, {len(victims)} compromised "
      f"({sum(1 for v in victims.values() if v['renamed_powershell'])} with PowerShell renamed to {browser}), "
      f"{len(unknown)} without event logs; {len(records)} process-creation/400/4103 records read")
mk = collections.Counter()
for h, hf in hosts.items():
    mk["sysmon" if hf["sysmon"] else "4688-only"] += 1
    mk["cmdline" if hf["cmdline"] else "no-cmdline"] += 1
    mk["module-logging" if hf["module"] else "no-module-logging"] += 1
    if hf["admin"]: mk["admin-encoded"] += 1
print("hosts with logs: " + ", ".join(f"{k} {v}" for k, v in sorted(mk.items())))
print("victims:")
for h, v in sorted(victims.items()):
    hf = hosts.get(h)
    if not hf:
        print(f"  {h:16} no event logs"); continue
    print(f"  {h:16} {'renamed ' + os.path.basename(v['renamed_powershell'].replace(chr(92), '/')) if v['renamed_powershell'] else 'powershell.exe':18}"
          f" {'sysmon' if hf['sysmon'] else '4688-only':9} {'cmdline' if hf['cmdline'] else 'no-cmdline':10}"
          f" {'module' if hf['module'] else '-':6} attack records {dict(sorted(hf['attack'].items()))}")

# record level: engine against the restated rules
print("\nper rule (record level: findings against the records the rule's text selects):")
rule_found_hosts = {}
for rule in RENAMED + ENCODED:
    exp = expected[rule]
    fnd = {}
    for h, line, rid, f in got.get(rule, []):
        fnd[(h, line)] = (rid, f)
        rec = by_key.get((h, line))
        if rec is not None and rec["rid"] != rid:
            fail(f"{short[rule]}: {h} line {line}: finding says record id {rid}, the log says {rec['rid']}")
        if rec is not None and f.get("host") != rec["computer"]:
            fail(f"{short[rule]}: {h} line {line}: finding's host {f.get('host')!r} is not the computer "
                 f"as written, {rec['computer']!r}")
    missing = sorted(exp - fnd.keys())
    extra = sorted(fnd.keys() - exp)
    for h, line in missing:
        rec = by_key[(h, line)]
        fail(f"{short[rule]} ({rule}): MISSED {h} {rec['src']} record {rec['rid']} ({rec['path']}:{line}, "
             f"{rec['kind']}): {show(rec)}")
    for h, line in extra:
        rec = by_key.get((h, line))
        what = f"{rec['src']} record {rec['rid']} ({rec['kind']}): {show(rec)}" \
            if rec else "a record this oracle did not select"
        fail(f"{short[rule]} ({rule}): UNEXPECTED finding on {h} line {line}: {what}")
    # sakimori says, per rule, how many events of a source lacking a field the rule needs
    # it met (it cannot judge them fully, and fires on them only where the condition holds
    # whatever the field holds): every 4688 record, for a rule whose outcome on some 4688
    # record hangs on a field 4688 lacks (the records counted undecided above)
    have_u = und_line.get(title[rule])
    lacking = rule_lacks_on_4688(rules[rule])
    want_u = n_4688 if lacking else 0
    if undecided[rule] and not lacking:
        fail(f"{short[rule]}: {undecided[rule]} records hang on a field, yet the rule names no field 4688 lacks")
    if have_u and lacking:
        named = set(re.findall(r"security-process-creation lacks ([^;)]*)", have_u[1])[0].split(", ")) \
            if "security-process-creation lacks " in have_u[1] else set()
        if named != lacking:
            fail(f"{short[rule]}: stderr says 4688 lacks {sorted(named)}, the rule's fields 4688 lacks are {sorted(lacking)}")
    ok_u = (have_u[0] if have_u else 0) == want_u
    if not ok_u:
        fail(f"{short[rule]}: stderr says {have_u[0] if have_u else 'nothing'} events not fully judged, expected {want_u} "
             f"(the 4688 records: {undecided[rule]} of them hang on a field 4688 lacks)")
    rule_found_hosts[rule] = {h for h, _ in fnd}
    print(f"  {short[rule]:58} expected {len(exp):4}  found {len(fnd):4}  missed {len(missing):3}  unexpected {len(extra):3}"
          f"  undecided {have_u[0] if have_u else 0}/{want_u}{'' if ok_u else ' MISMATCH'}")

# host level: truth
def group_score(name, rules_, ran, shows, undecided_only):
    found = set().union(*(rule_found_hosts[r] for r in rules_))
    tp = found & ran
    fp = found - ran
    fn = shows - found
    rule_fp = collections.defaultdict(list)
    print(f"\n{name}: {len(ran)} hosts ran it, {len(shows)} whose logs show it; "
          f"found on {len(found)}: recall {len(shows & found)}/{len(shows)}, "
          f"precision {len(tp)}/{len(found)}")
    for h in sorted(fn):
        fail(f"{name}: host {h} shows it in its logs ({dict(hosts[h]['attack'] or hosts[h]['admin'])}) and has no finding")
    for h in sorted(fp):
        recs = [by_key[(h, l)] for r in rules_ for (hh, l, _, _) in got.get(r, []) if hh == h and (h, l) in by_key]
        kinds = {x["kind"] for x in recs}
        rs = sorted({short[r] for r in rules_ for (hh, _, _, _) in got.get(r, []) if hh == h})
        if kinds == {"admin"} and all(r in RULE_FP for r in rules_ for (hh, _, _, _) in got.get(r, []) if hh == h):
            rule_fp[tuple(rs)].append(h)
        else:
            fail(f"{name}: false host {h}: {', '.join(rs)} on {sorted(kinds)} records")
    for rs, hs in sorted(rule_fp.items()):
        notes.append(f"{name}: rule false positive on {len(hs)} host(s) with an admin -EncodedCommand run only "
                     f"({', '.join(rs)}: the quoted HostApplication defeats the published filters), e.g. "
                     f"{', '.join(hs[:3])}")
    for h in sorted(undecided_only):
        print(f"  {h}: process creations are 4688 only: undecided for the OriginalFileName rules, as expected")
    for rule in rules_:
        fh = rule_found_hosts[rule]
        eh = {h for h, _ in expected[rule]}
        rt = eh & ran
        print(f"  {short[rule]:58} hosts: found {len(fh):3}  expected {len(eh):3}  true {len(fh & ran):3}  "
              f"false {len(fh - ran):3}  recall {len(fh & rt)}/{len(rt)}  precision {len(fh & ran)}/{len(fh)}"
              f"  undecided hosts {len(undecided_hosts[rule])}")
    return found


RULE_FP = {"30a8cb77-8eb3-4cfb-8e79-ad457c5a4592", "d7326048-328b-4d5e-98af-86e84b17c765",
           "64e8e417-c19a-475a-8d19-98ea705394cc"}
ran_r = {h for h, v in victims.items() if v["renamed_powershell"]}
shows_r = {h for h in ran_r if h in hosts and (hosts[h]["attack"]["sysmon1"] or hosts[h]["attack"]["ps400"]
                                               or hosts[h]["attack"]["ps4103"])}
only4688 = {h for h in ran_r if h in hosts and not hosts[h]["attack"]["sysmon1"] and
            (hosts[h]["attack"]["4688"] or hosts[h]["attack"]["4688+cmd"])}
ran_e = set(victims) | {h for h, hf in hosts.items() if hf["admin"]}
shows_e = {h for h in ran_e if h in hosts and (hosts[h]["attack"]["sysmon1"] or hosts[h]["attack"]["4688+cmd"]
                                               or hosts[h]["admin"]["sysmon1"] or hosts[h]["admin"]["4688+cmd"])}
group_score("renamed PowerShell", RENAMED, ran_r, shows_r, only4688)
group_score("encoded command", ENCODED, ran_e, shows_e, set())

# per victim: what the truth and its logs lead to expect, rule by rule, and what was found
code = {r: short[r].replace("proc_creation_win_", "").replace("powershell_", "ps_") for r in EVAL}
print("\nper victim, rule by rule (+ expected and found, U undecided as expected, - nothing expected, "
      "! disagreement):")
for h, v in sorted(victims.items()):
    if h not in hosts:
        print(f"  {h:16} no event logs: nothing expected, {'nothing' if not any(h in rule_found_hosts[r] for r in EVAL) else 'FINDINGS'} found")
        continue
    cells = []
    for r in RENAMED + ENCODED:
        e = any(hh == h for hh, _ in expected[r]); g = h in rule_found_hosts[r]; u = h in undecided_hosts[r]
        mark = "!" if e != g else "+" if e else "U" if u else "-"
        cells.append(mark)
    print(f"  {h:16} {''.join(cells)}")
print("  columns: " + " ".join(f"{i + 1}={code[r]}" for i, r in enumerate(RENAMED + ENCODED)))

# stderr: the 4688-only renamed hosts' records must be reported undecided, with the reason
for rule in ("0ba1da6d-b6ce-4366-828c-18826c9de23e", "ca2092a1-c273-4878-9b4b-0d60115bf5ea",
             "b9d9cc83-380b-4ba3-8d8f-60c0e7e2930c"):
    u = und_line.get(title[rule])
    if undecided[rule] and not (u and "OriginalFileName" in u[1] and "security" in u[1].lower()):
        fail(f"stderr: no undecided line naming OriginalFileName and the Security 4688 source for '{title[rule]}' "
             f"({u})")
if not only4688:
    fail("fleet: no renamed victim whose process creations are 4688 only: the fleet no longer exercises "
         "the undecided case (pick another seed or size)")
if not any(hosts[h]["sysmon"] for h in ran_r if h in hosts):
    fail("fleet: no renamed victim with Sysmon")
if not any(not hosts[h]["sysmon"] and not hosts[h]["cmdline"] for h in ran_r if h in hosts):
    notes.append("fleet: no renamed victim without Sysmon and without command lines (shown by its 400s alone)")

# control: the whole process_creation folder, counts only
if control:
    cg, nc = load_findings(control[0])
    cerr = open(control[1], encoding="utf-8", errors="replace").read()
    m = re.search(r"hunt: (\d+) rules .*?: (\d+) run, (\d+) run partly.*?(\d+) refused", cerr)
    s = re.search(r"hunt: (\d+) events.*?(\d+) detections by (\d+) rules on (\d+) computers; (\d+) evaluations undecided", cerr)
    print(f"\ncontrol (rules/windows/process_creation): {m.group(0) if m else '?'}")
    print(f"  {s.group(0) if s else '?'}")
    for rid, lst in sorted(cg.items(), key=lambda kv: -len(kv[1])):
        hs = {h for h, *_ in lst}
        t = lst[0][3]["rule"]["title"]
        kinds = collections.Counter(by_key[(h, l)]["kind"] if (h, l) in by_key else "other" for h, l, _, _ in lst)
        print(f"  {len(lst):6} findings on {len(hs):4} hosts ({len(hs & set(victims))} victims)  {t}  "
              f"[{', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}]")
        if rid in EVAL:
            if {(h, l) for h, l, _, _ in lst} != expected[rid]:
                fail(f"control: {short[rid]} found other records in the whole folder than alone "
                     f"({len(lst)} vs {len(expected[rid])})")
    for rid in EVAL:
        if rid in RULE_FILES and RULE_FILES[rid].startswith("rules/windows/process_creation/") and expected[rid] and rid not in cg:
            fail(f"control: {short[rid]} found nothing in the whole folder")

for n in notes:
    print("note: " + n)
for f in failures:
    print("FAIL " + f)
print(f"\n{'PASS' if not failures else 'FAIL'}: {len(failures)} problem(s), {len(notes)} note(s)")
sys.exit(1 if failures else 0)
