# files_stack.awk - bench/files.sh's mawk peer: the stacking step of `hunt files` as a
# field-extract + hash script. Input, in this order: the base manifests, the catalogue,
# then the host listings (one file per host). Output: the SHA-256 of every executable
# content (pe, elf, macho, script) that no base manifest holds and that lies on at most
# R hosts (R given with -v R=...), one a line - the contents sakimori's stack/rare-content
# rule is about.
function sha_of(s,   i) {
    i = index(s, "\"sha256\":\"")
    return i ? substr(s, i + 10, 64) : ""
}
/^\{"type":"listing"/ {
    if (index($0, "\"kind\":\"base\"")) kind = "base"; else { kind = "host"; delete seen }
    next
}
/^\{"sha256":"/ {   # a catalogue record: its kind
    s = substr($0, 12, 64)
    if (match($0, /"kind":"[a-z]+"/)) { k = substr($0, RSTART + 8, RLENGTH - 9); if (k == "pe" || k == "elf" || k == "macho" || k == "script") exe[s] = 1 }
    next
}
/^\{"type":"entry"/ {
    s = sha_of($0)
    if (s == "") next
    if (kind == "base") { inbase[s] = 1; next }
    if (!(s in seen)) { seen[s] = 1; hosts[s]++ }
}
END {
    for (s in hosts) if (hosts[s] <= R && (s in exe) && !(s in inbase)) print s
}
