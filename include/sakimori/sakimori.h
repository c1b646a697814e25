/*
 * sakimori/sakimori.h - every public header, for the command-line tool and programs
 * that use the whole library. The library's own modules include only the headers of
 * their layer (tests/lint/layers.txt); tests/lint/headertest.sh checks that this file
 * names every header in include/sakimori/.
 */
#ifndef SAKIMORI_SAKIMORI_H
#define SAKIMORI_SAKIMORI_H

#include "common.h"
#include "arena.h"
#include "attrib.h"
#include "beacon.h"
#include "pdns.h"
#include "exfil.h"
#include "buf.h"
#include "bytes.h"
#include "case.h"
#include "catalog.h"
#include "cfg.h"
#include "collect.h"
#include "digest.h"
#include "domain.h"
#include "elf.h"
#include "escape.h"
#include "event.h"
#include "evtx.h"
#include "evtxdump.h"
#include "finding.h"
#include "sigma.h"
#include "file.h"
#include "inventory.h"
#include "inventory_read.h"
#include "casedb.h"
#include "registry.h"
#include "invindex.h"
#include "fleet.h"
#include "ioc.h"
#include "json.h"
#include "map.h"
#include "strtab.h"
#include "net.h"
#include "netlog.h"
#include "pe.h"
#include "extsort.h"
#include "ordered.h"
#include "pool.h"
#include "sid.h"
#include "simulate.h"
#include "timestamp.h"
#include "utf.h"
#include "version.h"

#endif
