# bench/net_contacts.awk - the mawk peer of bench/net.sh: field extraction and hash
# lookups, the way an analyst would hunt a proxy or Zeek log with awk. Prints one
# "client<TAB>indicator" line per contact pair, first sight only.
#   mawk -v IOC=ioc.txt -v FMT=squid|zeek -f net_contacts.awk LOG
# Indicators: domains (the name and its subdomains), http URLs (exact, already
# normalised), /24 networks (the destination's first three octets).
BEGIN {
    FS = (FMT == "zeek") ? "\t" : " "
    while ((getline l < IOC) > 0) {
        if (l == "" || substr(l, 1, 1) == "#") continue
        if (l ~ /\/24$/) { split(l, o, "."); net[o[1] "." o[2] "." o[3]] = l }
        else if (l ~ /^http:\/\//) url[l] = 1
        else dom[l] = 1
    }
}
function out(c, x,   k) { k = c SUBSEP x; if (!(k in seen)) { seen[k] = 1; print c "\t" x } }
function domains(c, d,   i) {
    for (;;) {
        if (d in dom) out(c, d)
        i = index(d, ".")
        if (!i) return
        d = substr(d, i + 1)
    }
}
FMT == "squid" {
    c = $3; u = $7; h = u
    if ($6 == "CONNECT") sub(/:[0-9]+$/, "", h)
    else {
        if (u in url) out(c, u)
        sub(/^[a-z]+:\/\//, "", h); sub(/\/.*/, "", h); sub(/:[0-9]+$/, "", h)
    }
    domains(c, h)
    p = $9
    if (substr(p, 1, 12) == "HIER_DIRECT/") { split(substr(p, 13), o, "."); k = o[1] "." o[2] "." o[3]; if (k in net) out(c, net[k]) }
    next
}
FMT == "zeek" && substr($0, 1, 1) != "#" {
    c = $3
    u = "http://" $9 $10
    if (u in url) out(c, u)
    domains(c, $9)
    split($5, o, "."); k = o[1] "." o[2] "." o[3]; if (k in net) out(c, net[k])
}
