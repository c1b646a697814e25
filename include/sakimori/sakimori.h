/*
 * sakimori/sakimori.h - include everything public.
 */
#ifndef SAKIMORI_SAKIMORI_H
#define SAKIMORI_SAKIMORI_H

#include "common.h"
#include "arena.h"
#include "buf.h"
#include "case.h"
#include "digest.h"
#include "escape.h"
#include "file.h"
#include "json.h"
#include "map.h"
#include "net.h"
#include "pool.h"
#include "timestamp.h"
#include "utf.h"
#include "version.h"

#endif
