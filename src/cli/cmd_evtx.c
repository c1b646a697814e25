/*
 * cmd_evtx.c - `sakimori evtx dump`: Windows event logs read natively, every record as
 * it is; the same reader as `sakimori events` (cmd_events.c), which adds selection,
 * sorting and the CSV timeline (all of its options work here too).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/sakimori.h>
#include <sakimori/evtxdump.h>

#include "cli.h"

void cmd_evtx_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori evtx dump [--format jsonl|xml] [--carve] [--threads N] [--timezone ZONE]\n"
            "                          [--coverage FILE [--quiet-gap HOURS]] [--max-decompressed MIB] INPUT...\n"
            "\n"
            "Read EVTX files natively (no Windows API): every record of every chunk, in file order,\n"
            "on stdout - one event-model JSON object per line (docs/formats/event.md: System fields\n"
            "and EventData under the names SigmaHQ rules use) or one XML <Event> per line. Damaged\n"
            "files are read as far as they go: bad checksums mark records \"recovered\", a broken\n"
            "record or chunk is one diagnostic line on stderr naming the file and offset, and the\n"
            "rest is still read. Each file's summary (records, record-id range and gaps, time span,\n"
            "log clears) follows on stderr. JSON-lines logs of the same events (Winlogbeat, NXLog,\n"
            "or this command's own output) are read into the same model. See docs/evtx.md.\n"
            "\n"
            "An INPUT is a file, a folder (searched recursively; event logs are recognised by their\n"
            "content, symbolic links inside it are not followed), a quoted glob, or - for standard\n"
            "input. gzip and zstd files are decompressed: their events name the stored file's SHA-256\n"
            "and their offsets and lines, marked \"decoded\", are positions in the decompressed bytes.\n"
            "\n"
            "Options:\n"
            "  --format jsonl|xml   output (default jsonl)\n"
            "  --carve              also recover records from chunk slack and from blocks that are no\n"
            "                       valid chunk (format \"evtx-carved\")\n"
            "  --threads N          chunks parsed in parallel (default: all cores)\n"
            "  --timezone ZONE      zone of NXLog's local EventTime when a record has no @timestamp\n"
            "                       (an IANA name such as Asia/Tokyo, or +09:00; default UTC)\n"
            "  --coverage FILE      write each EVTX file's coverage record there (docs/formats/coverage.md:\n"
            "                       time intervals, record-id gaps, log clears, wrapping), one line each\n"
            "  --quiet-gap HOURS    a silence longer than this splits the coverage intervals (default 6)\n"
            "  --max-decompressed MIB  stop decompressing an input there (default: 1 GiB or 1000 times\n"
            "                       its stored size, at most 64 GiB): a compression bomb is cut off, said\n"
            "  --quiet              no per-file summary\n"
            "\n"
            "At most 100 diagnostics are shown per file; one closing line counts the rest by kind.\n"
            "\n"
            "Exit codes: 0 every record read, 2 usage error, 3 a file could not be read or held\n"
            "damage (see stderr), 4 internal error.\n"
            "\n"
            "The options of 'sakimori events' (--since, --until, --event-id, --channel, --provider,\n"
            "--computer, --search, --sort time, --format csv) work here too.\n"
            "\n"
            "Examples:\n"
            "  sakimori evtx dump Security.evtx | jq -c 'select(.System.EventID == 4688)'\n"
            "  sakimori evtx dump --format xml System.evtx | grep -c '<EventID>104<'\n"
            "  sakimori evtx dump --carve --threads 2 damaged/*.evtx > events.jsonl 2> damage.txt\n"
            "  sakimori evtx dump --timezone Asia/Tokyo nxlog-security.json > events.jsonl\n"
            "  sakimori evtx dump collected/ winlogbeat-2026-06-03.json.gz > events.jsonl\n"
            "  zstdcat Security.evtx.zst | sakimori evtx dump - | jq -c 'select(.System.EventID == 1102)'\n");
}

int cmd_evtx_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_evtx_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : SK_EXIT_OK;
    }
    if (strcmp(argv[1], "dump")) {
        sk_cli_error("evtx", "unknown subcommand '%s' (see 'sakimori evtx --help')", argv[1]);
        return SK_EXIT_USAGE;
    }
    return events_main("evtx", argc, argv, 2); /* the reader of `sakimori events` (cmd_events.c) */
}
