/*
 * sigma_int.h - private structures of the Sigma engine (src/rules/sigma_*.c): the YAML
 * access layer, compiled values (one per modifier chain and value), search identifiers
 * as expression trees, conditions, log-source entries, rules and the rule set.
 *
 * Everything a set holds is allocated from the set's arena (or owned by it: PCRE2 codes,
 * the Hyperscan database) and never changes after sk_sigma_loader_finish(): matchers
 * only read it.
 */
#ifndef SK_SIGMA_INT_H
#define SK_SIGMA_INT_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/map.h>
#include <sakimori/net.h>
#include <sakimori/sigma.h>

/* ---- limits (documented in docs/sigma.md) ---- */
#define SG_MAX_RULE_BYTES ((size_t)4 << 20)   /* one rule file */
#define SG_MAX_NODES 200000                   /* YAML nodes visited per document (alias bombs) */
#define SG_MAX_DEPTH 64                       /* YAML nesting and condition nesting */
#define SG_MAX_VALUES 100000                  /* compiled values per rule */
#define SG_MAX_WINDASH 1024                   /* windash permutations of one value */
#define SG_RE_MATCH_LIMIT 100000
#define SG_RE_DEPTH_LIMIT 1000
#define SG_MAX_HITS 64                        /* matched fields reported per finding */

/* ---- YAML (sigma_yaml.c) ---- */
typedef struct sg_doc {
    yaml_document_t doc;
    int loaded;
    const char *path;
    size_t visits;          /* nodes visited so far (bounded by SG_MAX_NODES) */
} sg_doc;

/* Scalar kinds as PyYAML (YAML 1.1 core) would type them: quoted scalars are strings. */
enum { SG_Y_STRING = 1, SG_Y_INT, SG_Y_NULL, SG_Y_BOOL, SG_Y_FLOAT };

yaml_node_t *sg_y_node(sg_doc *d, int id);
yaml_node_t *sg_y_get(sg_doc *d, yaml_node_t *map, const char *key);
/* scalar text or NULL when not a scalar */
const char *sg_y_str(yaml_node_t *n, size_t *len);
int sg_y_kind(yaml_node_t *n, int64_t *ival, int *bval);
size_t sg_y_line(yaml_node_t *n);
/* a scalar or a list of scalars as strings (folded to ASCII lower case when fold):
 * SK_EFORMAT with *bad the offending node, SK_ELIMIT past 100,000 items, SK_ENOMEM */
int sg_y_str_list(sg_doc *d, yaml_node_t *n, sk_arena *a, int fold, const char ***out, size_t *count, yaml_node_t **bad);
/* count a visit; SK_ELIMIT with a message past the budget */
int sg_y_visit(sg_doc *d, yaml_node_t *n);

/* ---- compiled values (sigma_value.c) ---- */
enum sg_vtype {
    SG_V_STR = 1,     /* string test: op, literal bytes (folded unless cased) */
    SG_V_RE,          /* PCRE2 */
    SG_V_NUM,         /* numeric compare (rule integer or lt/gt) */
    SG_V_CIDR,
    SG_V_NULL,        /* absent or null */
    SG_V_EMPTY,       /* '' : empty or null */
    SG_V_EXISTS,
    SG_V_FIELDREF,
    SG_V_BOOL
};
enum sg_op { SG_EQ = 1, SG_PREFIX, SG_SUFFIX, SG_CONTAINS, SG_GLOB, SG_LT, SG_LTE, SG_GT, SG_GTE };
enum sg_tpart { SG_T_NONE = 0, SG_T_MINUTE, SG_T_HOUR, SG_T_DAY, SG_T_WEEK, SG_T_MONTH, SG_T_YEAR };

typedef struct sg_val {
    uint8_t type;     /* sg_vtype */
    uint8_t op;       /* sg_op */
    uint8_t cased;
    uint8_t tpart;    /* time modifier: extract before the numeric test */
    uint8_t want;     /* EXISTS/BOOL */
    uint8_t simple;   /* STR EQ from a plain integer: also matches the number */
    const char *lit;  /* STR: literal (folded unless cased); GLOB: pattern with
                         SG_GLOB_STAR/SG_GLOB_ONE marking wildcards; FIELDREF: field name */
    size_t n;
    double num;
    int64_t inum;
    sk_prefix cidr;
    pcre2_code *re;
    int fref;         /* FIELDREF: index in the rule's field table */
    uint32_t lit1;    /* the prefilter literal this test needs, plus one (0: none) */
} sg_val;

/* Wildcard bytes inside a GLOB literal: never in UTF-8 text. */
#define SG_GLOB_STAR 0xFE
#define SG_GLOB_ONE 0xFF

/* A value group: alternatives OR-ed (windash variants, base64offset shifts, a
 * placeholder's values); a field test combines its groups with OR, or AND (all). */
typedef struct sg_group {
    sg_val *alt;
    size_t n;
} sg_group;

/* ---- expressions ---- */
enum sg_etype { SG_E_AND = 1, SG_E_OR, SG_E_NOT, SG_E_FIELD, SG_E_KEYWORD, SG_E_TRUE, SG_E_FALSE };

typedef struct sg_expr {
    uint8_t type;
    uint8_t all;       /* FIELD/KEYWORD: groups AND-ed */
    uint8_t neg;       /* FIELD: neq - none of the groups holds */
    int field;         /* FIELD: index in the rule's field table */
    sg_group *groups;
    size_t n_groups;
    struct sg_expr **kids;
    size_t n_kids;
} sg_expr;

/* A rule's field names (after the mapping's renames, per source). */
typedef struct sg_fname {
    const char *name;
    size_t n;
    uint32_t hash;
    uint8_t system;    /* 1: a System member only; 2: an event-data field first, else System */
    const char *sys;   /* the System member's name for sk_event_system() */
    size_t sys_n;
} sg_fname;

/* ---- the mapping (sigma_map.c) ---- */
typedef struct sg_rename {
    const char *from, *to;
} sg_rename;

typedef struct sg_datacond {      /* events.data: an event-data field must equal one of values */
    const char *field;
    size_t n;
    uint32_t hash;
    const char **values;           /* folded */
    size_t n_values;
} sg_datacond;

typedef struct sg_source {
    const char *id;
    const char *product, *category, *service;
    unsigned reader;             /* SK_SIGMA_READER_* */
    const char *reader_name;
    const char **channels;       /* folded */
    size_t n_channels;
    const char **providers;      /* folded */
    size_t n_providers;
    uint16_t *eids;
    size_t n_eids;
    sg_datacond *data;
    size_t n_data;
    sg_rename *renames;
    size_t n_renames;
    const char **supplies;
    size_t n_supplies;
    int has_supplies;
} sg_source;

typedef struct sg_mapping {
    sg_source *src;
    size_t n;
} sg_mapping;

int sg_mapping_load(sg_mapping *m, const char *data, size_t n, const char *name, sk_arena *a);
/* does entry s serve a rule's logsource (NULL members: not stated)? */
int sg_source_serves(const sg_source *s, const char *product, const char *category, const char *service);
const char *sg_source_rename(const sg_source *s, const char *field);
int sg_source_supplies(const sg_source *s, const char *field);
/* is `name` a System member of the event model? */
int sg_is_system_field(const char *name, size_t n);
const char *sg_system_canon(const char *name, size_t n);

/* ---- rules (sigma_load.c) ---- */
typedef struct sg_binding {
    size_t rule;
    size_t source;
    sg_fname *fields;            /* resolved per source */
    uint8_t *unknown;            /* per field: the source cannot supply it */
    int partial;                 /* some field unknown */
    uint32_t *need_id;           /* the prefilter's literals for this binding (sigma_prefilter.c) */
    size_t n_need;
    int never;                   /* its condition cannot be true on this entry (a needed field is lacking) */
    /* further sets the condition needs, each one literal at least (checked when need_id triggers it) */
#define SG_MAX_ALSO 3
    uint32_t *also[SG_MAX_ALSO];
    size_t n_also_ids[SG_MAX_ALSO];
    size_t n_also;
} sg_binding;

enum { SG_CORR_EVENT_COUNT = 1, SG_CORR_VALUE_COUNT, SG_CORR_TEMPORAL, SG_CORR_TEMPORAL_ORDERED,
       SG_CORR_VALUE_SUM, SG_CORR_VALUE_AVG, SG_CORR_VALUE_PERCENTILE };

typedef struct sg_alias {       /* alias name -> (rule ref -> field) */
    const char *name;
    const char **rule_refs;
    const char **fields;
    size_t n;
} sg_alias;

typedef struct sg_corr {
    int type;
    const char **refs;           /* as written */
    size_t n_refs;
    size_t *rules;               /* resolved rule indexes, parallel to refs */
    const char **group_by;
    size_t n_group;
    sg_alias *aliases;
    size_t n_aliases;
    int64_t timespan_ns;
    const char *field;           /* value_* */
    /* condition: up to two comparisons AND-ed */
    int cmp_op[2];               /* 0 none, SG_LT.. SG_GTE, 100 eq, 101 neq */
    double cmp_val[2];
    int n_cmp;
    int generate;
} sg_corr;

typedef struct sg_rule {
    int kind;                    /* sk_sigma_kind, 0 unknown */
    int load_failed;             /* refused while loading */
    const char *id, *title, *name, *status, *path, *sha256, *description;
    size_t line;
    int level;
    const char *product, *category, *service;
    const char **tags;
    size_t n_tags;
    int support;
    const char *reason;
    const char *sources_text;
    /* detection */
    sg_expr *cond;               /* the whole condition (OR of the list) */
    sg_fname *fields;            /* as written */
    size_t n_fields;
    int generate;                /* emits its own findings */
    int selected;
    int fed;                     /* referenced by a selected correlation */
    /* filters applied to it (indexes of filter rules) */
    size_t *filters;
    size_t n_filters;
    /* correlation */
    sg_corr *corr;
    /* eid dispatch: the event ids it can match (NULL: any) */
    uint16_t *eids;
    size_t n_eids;
    /* literal prefilter: an event must contain one of these (folded) for the rule to
     * match; NULL: no prefilter */
} sg_rule;

struct sk_sigma_set {
    sk_arena *arena;
    sg_mapping map;
    sg_rule *rules;
    size_t n_rules;
    sg_binding *bindings;
    size_t n_bindings;
    /* dispatch: per source, per event id -> bindings */
    sk_map *by_channel;          /* folded channel -> size_t* list of sources (terminated by SIZE_MAX) */
    size_t *any_channel;         /* sources without a channel condition, SIZE_MAX-terminated */
    struct sg_disp *disp;        /* per source */
    pcre2_code **codes;          /* owned */
    size_t n_codes, cap_codes;
    void *prefilter;             /* sigma_prefilter.c */
    uint8_t *src_has_need;       /* per source: some binding is reached through the prefilter */
    /* per source: the event-data fields its prefiltered rules test (hashes, sorted):
     * only those are scanned with its literal database, or every field (scan_all) when
     * the rules are too deep to enumerate; scan_kw when one of them has keywords: the
     * other fields are scanned too, with the keyword literals alone */
    uint32_t **scan_hash;
    size_t *n_scan_hash;
    uint8_t *scan_all;
    uint8_t *scan_kw;
};

typedef struct sg_disp {
    sk_map *by_eid;              /* uint16 -> sg_blist* */
    size_t *any;                 /* binding indexes, SIZE_MAX-terminated */
} sg_disp;

/* the loader (sigma_load.c builds, sigma_set.c finishes) */
struct sk_sigma_loader {
    sk_sigma_set *set;
    size_t cap_rules;
    sk_map *placeholders;
    unsigned readers;
    /* filters compiled with their own field table, attached at finish */
    struct pending_filter {
        size_t rule;
        sg_expr *cond;
        sg_fname *fields;
        size_t n_fields;
        const char **refs;
        size_t n_refs;
    } *filters;
    size_t n_filters, cap_filters;
};

/* ---- values: compile and match (sigma_value.c) ---- */
typedef struct sg_cctx {           /* compile context of one rule */
    sk_arena *a;
    struct sk_sigma_set *set;      /* for owned codes (NULL in tests) */
    const char *path;
    sk_map *placeholders;          /* name -> const char ** NULL-terminated */
    size_t n_values;
    char err[400];
    /* the rule's field table while compiling */
    sg_fname *fields;
    size_t n_fields, cap_fields;
} sg_cctx;

int sg_compile_field(sg_cctx *c, sg_doc *d, const char *key, size_t keylen, yaml_node_t *val, sg_expr **out);
int sg_compile_keywords(sg_cctx *c, sg_doc *d, const char *mods, yaml_node_t *val, sg_expr **out);
int sg_field_index(sg_cctx *c, const char *name, size_t n);
int sg_own_code(sg_cctx *c, pcre2_code *re);

/* Fold ASCII (and Latin-1/Greek/Cyrillic via sk_utf8_fold_case) into out. */
int sg_fold(sk_buf *out, const char *s, size_t n);
int sg_glob(const uint8_t *p, size_t pn, const uint8_t *s, size_t sn);

/* ---- conditions (sigma_cond.c) ---- */
typedef struct sg_ident {
    const char *name;
    sg_expr *expr;
} sg_ident;

int sg_condition_parse(const char *text, size_t n, const sg_ident *ids, size_t n_ids, sk_arena *a,
                       sg_expr **out, char *err, size_t errsz);

/* ---- matching (sigma_match.c) ---- */
struct sk_sigma_matcher {
    const sk_sigma_set *set;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    uint32_t *stamp;             /* per rule: the event it held for */
    uint32_t *bstamp;            /* per binding: the event it was evaluated on */
    uint32_t gen;
    sk_buf fold;                 /* folded texts of this event */
    struct sg_fcache *cache;     /* per field of the event: folded text */
    uint32_t *scanned;           /* per field of the event: the event (gen) whose scan covered it */
    size_t cap_cache;
    sk_buf kwtext;               /* keywords: every value, folded */
    int kw_ready;
    sk_event_value sysv_tmp;
    sk_sigma_field_hit hits[SG_MAX_HITS];
    size_t n_hits;
    char scratch[SG_MAX_HITS][32];
    size_t *srcs;
    size_t n_srcs;
    uint64_t *undecided;
    sk_sigma_stats st;
    uint32_t *src_on;            /* per source: the event (gen) it belongs to */
    uint32_t *src_scanned;       /* per source: the event (gen) its literal database scanned */
    int cur_scanned;             /* the binding under evaluation: its entry's database scanned this event */
    uint32_t pf_gen;             /* the event the prefilter scanned (pf_hit valid) */
    const struct sg_binding **trues; /* this event's rules that hold, reported in rule order */
    size_t n_true, cap_true;
    int in_text;                 /* the value under test is in the scanned text */
    int scanned_all;             /* every field of this event was scanned (keywords) */
    size_t ref_len;              /* kwtext: the fields rules test, then the others (keywords) */
    uint32_t *seg;               /* kwtext's values: offset and length, in pairs */
    size_t n_seg, cap_seg, ref_seg;
    char chkey[256];             /* the event's channel, folded (chlen 0 and no channel: chnone) */
    size_t chlen;
    int chnone;
    uint64_t *src_events;        /* per source: events seen */
    void *pf;                    /* prefilter scratch */
    uint8_t *pf_hit;             /* per need literal: found in this event */
    int pf_done;
};

void sg_dispatch(const struct sk_sigma_set *s, size_t si, uint16_t eid, const size_t **by_eid, const size_t **any);
int sg_prefilter_build(struct sk_sigma_set *s);
/* the bindings that need literal `id` (SIZE_MAX-terminated) */
const size_t *sg_prefilter_bindings(const struct sk_sigma_set *s, uint32_t id);
void sg_prefilter_free(struct sk_sigma_set *s);
int sg_prefilter_scratch(const struct sk_sigma_set *s, sk_sigma_matcher *m);
void sg_prefilter_scratch_free(sk_sigma_matcher *m);
/* the database an event of this channel and event id is scanned with, or SIZE_MAX */
size_t sg_prefilter_combo(const sk_sigma_matcher *m, const char *chkey, size_t chlen, const sk_event *ev);
/* how database ci scans: every field (all), or the fields its rules test and, with kw,
 * the others with its keyword literals */
void sg_prefilter_mode(const struct sk_sigma_set *s, size_t ci, int *all, int *kw);
/* whether database ci's rules test the field of this name hash */
int sg_prefilter_wants(const struct sk_sigma_set *s, size_t ci, uint32_t hash);
/* merge the fields per database (after scan_fields) */
int sg_prefilter_fields(struct sk_sigma_set *s);
/* run the literal scan of database ci over the event's text (m->kwtext); sets m->pf_hit */
int sg_prefilter_scan(sk_sigma_matcher *m, size_t ci);
/* the literal ids the last scan found */
void sg_prefilter_hits(const sk_sigma_matcher *m, const uint32_t **ids, size_t *n);

#endif
