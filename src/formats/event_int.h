/*
 * event_int.h - what the event view's builders share, private to src/formats
 * (event_view.c builds views from element trees, event_json.c from JSON records and
 * from sakimori's own lines read back). Not public API: module prefix evb_.
 */
#ifndef SK_EVENT_INT_H
#define SK_EVENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sakimori/event.h>

/** One view being built: its fields with a hash table once they are many. */
typedef struct evb {
    sk_event *ev;
    sk_arena *a;
    int oom;          /* the arena refused: the event is too large */
    size_t cap;       /* fields allocated */
    uint32_t *table;  /* open addressing over field indexes + 1 (0: empty), by hash */
    size_t tcap;      /* power of two; 0 while the fields are few (searched linearly) */
} evb;

/** Add a field unless one of that name exists (the first wins): the new field (value
 * zeroed), or NULL when the name exists or memory ran out (b->oom). */
sk_event_field *evb_add_field(evb *b, const char *name, size_t n, uint8_t where);

/** The index of field `name` (hash: sk_event_name_hash), or SIZE_MAX. */
size_t evb_field_index(const evb *b, const char *name, size_t n, uint32_t hash);

/** A new node with key[0..kn) (NULL for an array item), or NULL (b->oom). */
sk_event_node *evb_node(evb *b, const char *key, size_t kn);

/** Append x (may be NULL) to a list. */
void evb_append(sk_event_node **head, sk_event_node **tail, sk_event_node *x);

/** UserData's leaves as fields (where SK_EVW_USERDATA), after EventData's. */
void evb_userdata_fields(evb *b, const sk_event_node *n, int depth);

#endif
