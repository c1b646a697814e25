/*
 * sakimori/event.h - the event model (docs/formats/event.md): one Windows event as a
 * typed view (sk_event) that every engine reads, and its renderings, one JSON object a
 * line with System fields and EventData under the names SigmaHQ rules use, or
 * Windows-style XML.
 *
 * A view is built once per record, straight from an EVTX record's element tree
 * (sk_event_from_xml) or from a shipper's JSON record (sk_event_from_json_record), into
 * an arena the caller owns and resets between records: nothing is rendered and parsed
 * back. Strings point into the record's tree or JSON document, or into the arena, and
 * live as long as both. The semantics of fields (unnamed <Data>, string arrays, classic
 * PowerShell's Key=Value text and its localized keys, UserData, the first name that
 * wins) are decided here, once, by the builders; the renderers only write the view.
 */
#ifndef SAKIMORI_EVENT_H
#define SAKIMORI_EVENT_H

#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "evtx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where an event came from, as a reader knows it: the builders' input for the view's
 * evidence reference and its "src", "format" and "recovered" members. */
typedef struct sk_event_src {
    const char *path;       /**< the input's path as given (NULL: unnamed); not rendered */
    const char *sha256;     /**< the input's SHA-256, lower-case hex */
    uint64_t record_id;     /**< EventRecordID */
    int has_record_id;
    uint64_t offset;        /**< EVTX: the record's offset in the file */
    int has_offset;
    uint64_t line;          /**< JSON logs: the 1-based line */
    int has_line;
    const char *format;     /**< "evtx", "evtx-carved", ... */
    const char *decoded;    /**< "gzip", "zstd", "stdin": offset and line are into the decompressed (or spooled) bytes */
    int recovered;
    /** EVTX: the record header's written time, the stand-in when TimeCreated is missing
     * or unreadable (time_quality then adds record_written); SK_TIME_NONE when there is
     * none - but 0 is 1970-01-01, so a zeroed src must set it. */
    sk_time fallback_time;
    /** How the reader obtained TimeCreated (sk_time_quality flags; 0 or SK_TQ_UTC:
     * stated in UTC, nothing written); SK_TQ_UNPARSED when the record's time could not be
     * read. time_offset_s: the offset used, written with SK_TQ_OFFSET or SK_TQ_ZONE. */
    uint32_t time_quality;
    int32_t time_offset_s;
} sk_event_src;

/** The stand-in `time` of an event that has none of its own (FILETIME 0, Windows' "not
 * set"); its time_quality says missing or unparsed. */
#define SK_EVENT_TIME_NONE "1601-01-01T00:00:00.0000000Z"

/** 1 when s[0..n) is an instant as the event model writes `time`:
 * YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z (the pattern only: any year). */
int sk_event_time_valid(const char *s, size_t n);

/** System/EventRecordID of an Event element as a number: 1 with *out set, 0 when it is
 * absent or not a decimal number. */
int sk_event_record_id(const sk_xnode *ev, uint64_t *out);

/* ---- the typed view ---- */

/** A string of the record: s == NULL when absent; not NUL-terminated in general. */
typedef struct sk_event_str {
    const char *s;
    size_t n;
} sk_event_str;

/** Kinds of values. Every kind but ARRAY and NULL has its text as Windows renders it
 * in XML (the JSON output writes that text); INTEGER also has the number. */
enum sk_event_kind {
    SK_EVK_STRING = 1, /**< text (strings, GUIDs, SIDs, times, booleans, reals, JSON objects as JSON text) */
    SK_EVK_INTEGER,    /**< an integer-typed value (decimal, or HexInt 0x...): u and neg */
    SK_EVK_BINARY,     /**< binary data, as upper-case hex text */
    SK_EVK_ARRAY,      /**< an array-typed value: items (each a scalar) */
    SK_EVK_NULL        /**< an absent (NULL) substitution, JSON null */
};

typedef struct sk_event_value {
    uint8_t kind;      /**< SK_EVK_* */
    uint8_t neg;       /**< INTEGER: the value is minus u */
    const char *s;     /**< the text (NUL-terminated where the builder could: not guaranteed) */
    size_t n;
    uint64_t u;        /**< INTEGER: the magnitude */
    const struct sk_event_value *items; /**< ARRAY */
    size_t n_items;
} sk_event_value;

/** Where a field lives. */
enum sk_event_where {
    SK_EVW_EVENTDATA = 1, /**< a named <Data>, an EventData element, or "Data" (the unnamed ones) */
    SK_EVW_POWERSHELL,    /**< classic PowerShell: a Key=Value line of the unnamed Data (rendered in EventData) */
    SK_EVW_USERDATA       /**< a leaf of UserData's element, by its element name (not rendered in EventData) */
};

/** Flags of a field. */
enum {
    SK_EVF_LOCALIZED = 1, /**< POWERSHELL: a localized key mapped to its English name (docs/formats/event.md) */
};

typedef struct sk_event_field {
    const char *name;
    size_t name_len;
    uint32_t hash;     /**< sk_event_name_hash(name) */
    uint8_t where;     /**< SK_EVW_* */
    uint8_t flags;     /**< SK_EVF_* */
    sk_event_value v;
    sk_event_str key_written; /**< SK_EVF_LOCALIZED: the key as the event wrote it */
} sk_event_field;

/** A node of UserData (or of an object-valued field read back): objects have children
 * (members, in order), arrays items as children, the rest a scalar value. */
typedef struct sk_event_node {
    sk_event_str key;        /**< member name (NULL for an array's item) */
    uint8_t is_object, is_array;
    sk_event_value v;        /**< neither object nor array: the value */
    struct sk_event_node *child, *next;
} sk_event_node;

/** Which System members the record has (sk_event.has). */
enum {
    SK_EVH_EVENT_ID = 1u << 0,
    SK_EVH_QUALIFIERS = 1u << 1,
    SK_EVH_VERSION = 1u << 2,
    SK_EVH_LEVEL = 1u << 3,
    SK_EVH_TASK = 1u << 4,
    SK_EVH_OPCODE = 1u << 5,
    SK_EVH_KEYWORDS = 1u << 6,
    SK_EVH_RECORD_ID = 1u << 7,
    SK_EVH_PROCESS_ID = 1u << 8,
    SK_EVH_THREAD_ID = 1u << 9,
    SK_EVH_EVENTDATA = 1u << 10, /**< an EventData element (even empty) */
    SK_EVH_USERDATA = 1u << 11,  /**< a UserData element */
    SK_EVH_VIA = 1u << 12        /**< read back from a sakimori dump: via_* are set */
};

/** Which reader made an event (sk_event.reader): the Windows readers (EVTX, shipped
 * JSON) are 0; the network logs' (sk_netrec_to_event in sakimori/netlog.h) the rest. The
 * Sigma engine serves each log source from its own reader: bit 1 << reader of
 * SK_SIGMA_READER_*. */
enum sk_event_reader { SK_EVR_WINDOWS = 0, SK_EVR_PROXY, SK_EVR_WEBSERVER, SK_EVR_DNS, SK_EVR_FIREWALL, SK_EVR_ZEEK };

/** One event. */
typedef struct sk_event {
    /* time: the event's own (TimeCreated), or a stand-in its quality says is one */
    sk_time time;                 /**< SK_TIME_NONE with a stand-in */
    sk_event_str time_text;       /**< the `time` member as written (Windows' 7 fraction digits) */
    uint32_t time_quality;        /**< sk_time_quality flags (0: UTC as stated) */
    int32_t time_offset_s;
    uint32_t has;                 /**< SK_EVH_* */
    uint8_t reader;               /**< sk_event_reader */
    /* System */
    uint16_t event_id, qualifiers, task;
    uint8_t version, level, opcode;
    uint64_t keywords;
    uint64_t record_id, process_id, thread_id;
    sk_event_str provider_name, provider_guid, event_source_name, keywords_text;
    sk_event_str activity_id, related_activity_id, channel, computer, user_id;
    /* EventData, then UserData's leaves: first of a name wins (rendered: where EVENTDATA
     * and POWERSHELL, in this order) */
    sk_event_field *fields;
    size_t n_fields;
    sk_event_node *userdata;      /**< UserData's members (its element(s)) */
    sk_event_str message;         /**< a shipper's rendered message text (Winlogbeat message, NXLog Message) */
    /* evidence */
    sk_event_str path;            /**< the input's path as given (read back: as the line claims) */
    sk_event_str sha256;          /**< the input's (or, read back, the claimed original's) SHA-256 */
    uint64_t src_record_id, src_offset, src_line;
    uint8_t src_has_record_id, src_has_offset, src_has_line, recovered;
    sk_event_str format;          /**< evtx, evtx-carved, winlogbeat, nxlog, evtx-json, sakimori */
    sk_event_str decoded;         /**< gzip, zstd, stdin: the locators are into the decompressed bytes */
    sk_event_str via_sha256;      /**< with SK_EVH_VIA: the dump it was read from */
    sk_event_str via_path;
    uint64_t via_line;
    /** PowerShell keys that were assumed from the localized table (docs/formats/event.md):
     * how many fields have SK_EVF_LOCALIZED. */
    unsigned localized;
    const sk_xnode *xml;          /**< EVTX: the record's element tree (for XML), else NULL */
} sk_event;

/** The hash of a field name (FNV-1a 32), computed once per field at build time and
 * once per name by a rule set. */
uint32_t sk_event_name_hash(const char *name, size_t n);

/** A field by name: EventData first, then UserData's leaves; NULL when absent. `hash`
 * is sk_event_name_hash(name, n). System members are not fields: sk_event_system(). */
const sk_event_field *sk_event_field_find(const sk_event *ev, const char *name, size_t n, uint32_t hash);

/** A System member by its model name (EventID, Channel, Provider_Name, Computer,
 * EventRecordID, Level, ...) as a value in *out (texts point into the event or into
 * `scratch`, 32 bytes): 1 when the event has it, 0 when not or when it is no System
 * member. */
int sk_event_system(const sk_event *ev, const char *name, size_t n, sk_event_value *out, char scratch[32]);

/**
 * Build the view of an EVTX record's Event element. `a` holds what the view adds (the
 * caller resets it between records); strings point into the tree. SK_ELIMIT when the
 * arena is full (the record is too large), with a message.
 */
int sk_event_from_xml(sk_event *ev, const sk_xnode *root, const sk_event_src *src, sk_arena *a);

typedef struct sk_json_value sk_json_value;
typedef struct sk_tz sk_tz;

/** What sk_event_from_json_record() found besides the event. */
typedef struct sk_event_json_info {
    const char *format;     /**< "winlogbeat", "nxlog", "evtx-json", "sakimori" (static), or NULL: no event */
    uint32_t time_quality;  /**< the time's sk_time_quality flags (SK_TQ_MISSING, SK_TQ_UNPARSED: none) */
    int32_t time_offset_s;
    int no_event_id;        /**< refused for its event id (absent ids: the message says so) */
    /** Non-empty when the event was built despite a problem (a missing or unreadable
     * time, a shipper's time that disagrees): one line for the caller to report with
     * the record's position. */
    char warning[256];
} sk_event_json_info;

/** Options of the JSON builder. */
typedef struct sk_event_json_options {
    const sk_tz *local;     /**< zone of local times (NXLog's EventTime); NULL: inferred or UTC */
} sk_event_json_options;

/**
 * Build the view of one JSON record shipped from Windows: Winlogbeat / ECS-nested
 * (winlog.*), NXLog-style flat (EventID, SourceName, ... at the top, in either style:
 * EventTime/SeverityValue or TimeCreated/Level/Message), the Rust evtx crate's and
 * python-evtx's JSON ({"Event":{"System":...,"EventData":...}}), or sakimori's own event
 * line (read back to the same view, with via naming what was read now). SK_EFORMAT with
 * a message when the record is no event, naming the members looked for, including one
 * without a usable event id (an integer 0-65535: null, 1e400, -1, 65536, "x" are
 * refused and info->no_event_id set). A record without a usable time gets a stand-in
 * time and time_quality missing or unparsed, and info->warning says so.
 * src->fallback_time is not used (JSON has no record header). Strings point into the
 * document `r` belongs to and into `a`.
 */
int sk_event_from_json_record(sk_event *ev, const sk_json_value *r, const sk_event_src *src, const sk_event_json_options *o,
                              sk_arena *a, sk_event_json_info *info);

/** Append the event-model JSON line (with its newline). SK_ELIMIT when out is full. */
int sk_event_write_json(sk_buf *out, const sk_event *ev);

/** Append the Event element as XML on one line (Windows' rendering: escaped text,
 * empty elements as <X/>), with a newline: the record's own tree for EVTX, else one
 * rebuilt from the view. */
int sk_event_write_xml(sk_buf *out, const sk_event *ev);

/** The CSV timeline's header row (with its newline): time, computer, channel, event_id,
 * level, record_id, provider, details, sha256, locator. */
int sk_event_csv_header(sk_buf *out);

/** Append the event as one CSV timeline row (with its newline), in the spirit of
 * Hayabusa's csv-timeline: details is "Name: value ¦ Name: value" over EventData and
 * UserData; line breaks and tabs in values are written as \n, \r, \t so that a row
 * is one line; cells are CSV-escaped with spreadsheet formulas defused. */
int sk_event_write_csv(sk_buf *out, const sk_event *ev);

/** Append an element tree as XML on one line, with a newline. */
int sk_xnode_write_xml(sk_buf *out, const sk_xnode *root);

#ifdef __cplusplus
}
#endif
#endif
