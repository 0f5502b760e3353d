# plot_svg.awk - draws bench/run.sh's medians as an SVG of horizontal bar panels, with min-max
# whiskers. Input lines, tab-separated:
#   panel <TAB> TITLE
#   bar   <TAB> LABEL <TAB> SERIES (iotmqtt|libmosquitto) <TAB> MEDIAN <TAB> MIN <TAB> MAX
#   mark  <TAB> VALUE <TAB> TEXT      (a tick across the bars above it, e.g. the QoS1 ceiling)
#   note  <TAB> TEXT                  (a line of small print under the last panel)
# Each panel is scaled to its own largest value. Usage: awk -f plot_svg.awk rows > out.svg
BEGIN { FS = "\t"; np = 0; nn = 0 }
$1 == "panel" { np++; title[np] = $2; nb[np] = 0; top[np] = 0; next }
$1 == "bar" {
    n = ++nb[np]; label[np, n] = $2; series[np, n] = $3
    med[np, n] = $4 + 0; lo[np, n] = $5 + 0; hi[np, n] = $6 + 0
    if (hi[np, n] > top[np]) top[np] = hi[np, n]
    if (med[np, n] > top[np]) top[np] = med[np, n]
    next
}
$1 == "mark" {
    n = nb[np]; markv[np, n] = $2 + 0; markt[np, n] = $3
    if (markv[np, n] > top[np]) top[np] = markv[np, n]
    next
}
$1 == "note" { note[++nn] = $2; next }
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
function num(v) { return v >= 1000 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.4g", v) }
END {
    left = 190; width = 430; barh = 14; W = left + width + 90
    y = 10; out = ""
    for (p = 1; p <= np; p++) {
        scale = top[p] > 0 ? width / (top[p] * 1.05) : 0
        out = out sprintf("<text x=\"8\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y + 14, esc(title[p]))
        y += 24
        for (n = 1; n <= nb[p]; n++) {
            if (label[p, n] != label[p, n - 1]) {
                y += 6
                out = out sprintf("<text x=\"8\" y=\"%d\">%s</text>\n", y + barh - 2, esc(label[p, n]))
            }
            color = series[p, n] == "iotmqtt" ? "#2b6cb0" : "#a0aec0"
            out = out sprintf("<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %s (%s-%s)</title></rect>\n",
                left, y, med[p, n] * scale, barh, color, esc(label[p, n]), series[p, n], num(med[p, n]), num(lo[p, n]), num(hi[p, n]))
            if (hi[p, n] > lo[p, n]) {
                out = out sprintf("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#1a202c\"/>\n",
                    left + lo[p, n] * scale, left + hi[p, n] * scale, y + barh / 2, y + barh / 2)
            }
            out = out sprintf("<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>\n",
                left + (hi[p, n] > med[p, n] ? hi[p, n] : med[p, n]) * scale + 4, y + barh - 3, num(med[p, n]))
            if ((p, n) in markv) {
                out = out sprintf("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#c53030\" stroke-width=\"2\" stroke-dasharray=\"3,2\"/>\n",
                    left + markv[p, n] * scale, left + markv[p, n] * scale, y - barh - 2, y + barh + 2)
                # Labels of marks in the right half end at the mark, so they stay inside.
                far = markv[p, n] * scale > width / 2
                out = out sprintf("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c53030\"%s>%s</text>\n",
                    left + markv[p, n] * scale + (far ? -3 : 3), y + barh + 11,
                    far ? " text-anchor=\"end\"" : "", esc(markt[p, n]))
                y += 10
            }
            y += barh + 2
        }
        y += 14
    }
    out = out sprintf("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#2b6cb0\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">iotmqtt</text>\n", left, y, left + 16, y + 9)
    out = out sprintf("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#a0aec0\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">libmosquitto (same flow, same run)</text>\n", left + 80, y, left + 96, y + 9)
    y += 16
    for (i = 1; i <= nn; i++) {
        y += 13
        out = out sprintf("<text x=\"8\" y=\"%d\" font-size=\"10\" fill=\"#4a5568\">%s</text>\n", y, esc(note[i]))
    }
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, y + 10
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n%s</svg>\n", out
}
