/*
 * net_sample.c - the bounded evidence sample of a network finding (net_sample.h): the
 * first NET_SAMPLE_MAX lines are kept; after that the last slot always holds the
 * newest line, and at each power of two of the lines seen the middle keeps every other
 * reference, so that the sample stays spread over the whole run of lines.
 */
#include <string.h>

#include "net_sample.h"

void net_sample_init(net_sample *s)
{
    memset(s, 0, sizeof *s);
    s->first = s->last = SK_TIME_NONE;
}

void net_sample_add(net_sample *s, const net_ref *r)
{
    s->seen++;
    if (s->seen == 1) s->earliest = s->latest = *r;
    if (r->t != SK_TIME_NONE) {
        if (s->first == SK_TIME_NONE || r->t < s->first) s->first = r->t, s->earliest = *r;
        if (s->last == SK_TIME_NONE || r->t > s->last) s->last = r->t, s->latest = *r;
    }
    if (s->n < NET_SAMPLE_MAX) {
        s->refs[s->n++] = *r;
        return;
    }
    s->omitted++;
    /* keep the first; the last slot is always the newest; the middle thins out evenly */
    uint64_t seen = s->seen;
    if ((seen & (seen - 1)) == 0) { /* at powers of two, halve the middle's density */
        size_t o = 1;
        for (size_t i = 1; i + 1 < NET_SAMPLE_MAX; i += 2) s->refs[o++] = s->refs[i];
        s->omitted += NET_SAMPLE_MAX - 1 - o;
        s->n = o;
        s->refs[s->n++] = *r;
        return;
    }
    s->refs[NET_SAMPLE_MAX - 1] = *r;
}

size_t net_sample_evidence(const net_sample *s, const net_ref *extra, char *const *paths, char (*sha)[65], sk_finding_ev *ev,
                           uint64_t *omitted)
{
    net_ref all[NET_SAMPLE_MAX + 3];
    size_t na = 0, ne = 0;
    all[na++] = s->earliest;
    for (size_t i = 0; i < s->n; i++) all[na++] = s->refs[i];
    all[na++] = s->latest;
    if (extra) all[na++] = *extra;
    for (size_t i = 0; i < na; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++) seen = all[k].line == all[i].line && all[k].input == all[i].input;
        if (seen) continue;
        memset(&ev[ne], 0, sizeof ev[ne]);
        ev[ne].path = paths[all[i].input];
        ev[ne].sha256 = sha[all[i].input];
        if (all[i].line & NET_LOC_RECORD) {
            ev[ne].record_id = all[i].line & ~NET_LOC_RECORD;
            ev[ne].has = SK_FEV_RECORD_ID;
        } else {
            ev[ne].line = all[i].line;
            ev[ne].has = SK_FEV_LINE;
        }
        ne++;
    }
    /* the earliest and latest, when not in the sample, were counted as omitted */
    uint64_t extra_n = ne > s->n ? ne - s->n : 0;
    *omitted = s->omitted > extra_n ? s->omitted - extra_n : 0;
    return ne;
}
