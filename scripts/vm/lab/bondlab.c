/*
 * bondlab: the traffic and the record of the bond lab, inside a lab guest (PID 1 is scripts/vm/lab/init).
 * scripts/vm/build-lab-image.sh compiles it statically (gcc, glibc) into the lab initramfs.
 *
 *   bondlab run sender   PEER PORT RATE FLOWS SIZE SECONDS
 *   bondlab run receiver PORT
 *
 * Both roles sample eth1, eth2 and bond0 every 100 ms and write, one line per write() to stdout (the init points it
 * at the second serial port, which the host reads; a tty write is never interleaved with another):
 *   S t=NS sent=N got=N gap=US eth1=RXB,RXP,TXB,TXP,CARRIER eth2=... bond0=...
 *                                          every 100 ms: datagrams sent or received so far, the longest silence of
 *                                          any flow that ended in these 100 ms (receiver), the links' counters
 *   D t=NS N / F PATH / | LINE / E N       the bond's /proc file and its links' sysfs files, whenever they change
 *                                          (and every 5 s)
 *   M t=NS TEXT                            milestones (lacp-ready, start, done)
 * The sender sends RATE datagrams a second of SIZE bytes, round robin over FLOWS sockets (source ports PORT+1..) so
 * that the bond's layer3+4 hash spreads them over both links, each carrying a sequence number, for SECONDS.
 * The receiver records:
 *   G t=NS flow=F ms=MS from=NS            a flow that received nothing for longer than the gap threshold
 *   R t=NS sent=N got=N dup=N maxseq=N     the summary, once the sender's end marker (or 5 s of silence) arrives
 *   L FIRST LAST                           a run of sequence numbers never received
 * Times are the guest's CLOCK_MONOTONIC in nanoseconds; the host aligns them with its own clock.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_NS 100000000LL
#define MAX_FLOWS 64
#define MAGIC 0x4c424c42u /* "LBLB" */
#define KIND_DATA 1
#define KIND_HELLO 2
#define KIND_HELLO_ACK 3
#define KIND_END 4
#define QUIET_NS 5000000000LL /* the receiver gives up on an end marker after this much silence */
#define GAP_LINE_NS 25000000LL /* a flow silent for longer than this gets a G line */
#define DUMP_EVERY_NS 5000000000LL /* an unchanged bond is dumped again after this long */

static const char *const links[] = {"eth1", "eth2", "bond0"};
static const char *const link_files[] = {"operstate", "carrier", "speed", "duplex", "mtu", "statistics/rx_bytes",
                                         "statistics/rx_packets", "statistics/tx_bytes", "statistics/tx_packets"};

struct packet {
    uint32_t magic;
    uint16_t kind;
    uint16_t flow;
    uint64_t seq;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One write() per record, so lines of this process and others on the same tty never interleave. */
static void emit(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(STDOUT_FILENO, line, (size_t)n) < 0) { /* nothing to do: the host sees the gap */ }
}

static int read_file(const char *path, char *buffer, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buffer, 1, size - 1, f);
    int failed = ferror(f);
    fclose(f);
    if (failed) return -1;
    buffer[n] = 0;
    return (int)n;
}

static long long read_counter(const char *link, const char *name)
{
    char path[128], text[64];
    snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", link, name);
    return read_file(path, text, sizeof text) > 0 ? atoll(text) : -1;
}

static int read_carrier(const char *link)
{
    char path[128], text[16];
    snprintf(path, sizeof path, "/sys/class/net/%s/carrier", link);
    return read_file(path, text, sizeof text) > 0 ? atoi(text) : -1;
}

/* --- the dump: the bond's /proc file and its links' sysfs files, written whenever anything in them changes ------ */

static char dump_now[32768], dump_last[32768];
static unsigned dump_count;

static void dump_append(size_t *used, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(dump_now + *used, sizeof dump_now - *used, format, args);
    va_end(args);
    if (n > 0) *used += ((size_t)n < sizeof dump_now - *used) ? (size_t)n : sizeof dump_now - *used - 1;
}

static void dump_file(size_t *used, const char *path, int with_counters)
{
    char text[8192];
    if (!with_counters && strstr(path, "statistics/")) return;
    if (read_file(path, text, sizeof text) < 0) {
        /* carrier, speed and duplex fail with EINVAL while a link is down: the fixture then has no such file. */
        dump_append(used, "X %s %d\n", path + 1, errno);
        return;
    }
    dump_append(used, "F %s\n", path + 1);
    /* Every line as it is, blank ones included: the fixtures are the kernel's own text. */
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = 0;
        dump_append(used, "| %s\n", line);
        if (!end) break;
        line = end + 1;
    }
}

static size_t build_dump(int with_counters)
{
    size_t used = 0;
    char path[128];
    dump_file(&used, "/proc/net/bonding/bond0", with_counters);
    for (size_t i = 0; i < sizeof links / sizeof *links; i++)
        for (size_t j = 0; j < sizeof link_files / sizeof *link_files; j++) {
            snprintf(path, sizeof path, "/sys/class/net/%s/%s", links[i], link_files[j]);
            dump_file(&used, path, with_counters);
        }
    return used;
}

/* Written when anything but the traffic counters changed (compared without them), and every few seconds anyway, so
 * that each state of a run has a copy with recent counters. */
static void dump_if_changed(int64_t t)
{
    static int64_t last_dump;
    build_dump(0);
    if (strcmp(dump_now, dump_last) == 0 && t - last_dump < DUMP_EVERY_NS) return;
    memcpy(dump_last, dump_now, sizeof dump_last);
    last_dump = t;
    size_t used = build_dump(1);
    char *block = malloc(used + 128);
    if (!block) return;
    unsigned id = ++dump_count;
    int head = snprintf(block, 128, "D t=%lld %u\n", (long long)t, id);
    memcpy(block + head, dump_now, used);
    int tail = snprintf(block + head + used, 64, "E %u\n", id);
    if (write(STDOUT_FILENO, block, (size_t)head + used + (size_t)tail) < 0) { /* see emit() */ }
    free(block);
}

static void sample(int64_t t, unsigned long long sent, unsigned long long got, int64_t max_gap)
{
    char line[768];
    int n = snprintf(line, sizeof line, "S t=%lld sent=%llu got=%llu gap=%lld", (long long)t, sent, got,
                     (long long)(max_gap / 1000));
    for (size_t i = 0; i < sizeof links / sizeof *links; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s=%lld,%lld,%lld,%lld,%d", links[i],
                      read_counter(links[i], "rx_bytes"), read_counter(links[i], "rx_packets"),
                      read_counter(links[i], "tx_bytes"), read_counter(links[i], "tx_packets"), read_carrier(links[i]));
    emit("%s", line);
    dump_if_changed(t);
}

/* LACP is up when the active aggregator has both ports and a partner, and every port, ours and the partner's, is
 * in sync, collecting and distributing (port state bits 0x08, 0x10, 0x20): only then does the stream start. */
static int lacp_ready(void)
{
    char text[8192];
    if (read_file("/proc/net/bonding/bond0", text, sizeof text) < 0) return 0;
    const char *info = strstr(text, "Active Aggregator Info:");
    if (!info) return 0;
    const char *ports = strstr(info, "Number of ports: ");
    const char *partner = strstr(info, "Partner Mac Address: ");
    if (!ports || !partner || atoi(ports + 17) < 2 || strncmp(partner + 21, "00:00:00:00:00:00", 17) == 0) return 0;
    int states = 0;
    for (const char *p = strstr(text, "port state: "); p; p = strstr(p + 1, "port state: ")) {
        if ((atoi(p + 12) & 0x38) != 0x38) return 0;
        states++;
    }
    return states >= 4;
}

static void wait_until(int fd, int64_t deadline)
{
    int64_t left = deadline - now_ns();
    if (left <= 0) return;
    struct timespec timeout = {.tv_sec = left / 1000000000LL, .tv_nsec = left % 1000000000LL};
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ppoll(&p, fd >= 0 ? 1 : 0, &timeout, NULL);
}

/* After the traffic: keep recording (the restored bond settles) until the host stops the guest. */
static _Noreturn void record_forever(unsigned long long sent, unsigned long long got)
{
    int64_t next = now_ns();
    for (;;) {
        sample(now_ns(), sent, got, 0);
        next += SAMPLE_NS;
        wait_until(-1, next);
    }
}

static int udp_socket(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) { perror("bind"); exit(1); }
    return fd;
}

static void wait_for_lacp(void)
{
    int64_t next = now_ns();
    while (!lacp_ready()) {
        sample(now_ns(), 0, 0, 0);
        next += SAMPLE_NS;
        wait_until(-1, next);
    }
    emit("M t=%lld lacp-ready", (long long)now_ns());
}

static int run_sender(const char *peer, int port, int rate, int flows, int size, int seconds)
{
    if (rate < 1 || flows < 1 || flows > MAX_FLOWS || size < (int)sizeof(struct packet) || size > 1400 || seconds < 1) {
        fprintf(stderr, "bondlab: rate >= 1, 1 <= flows <= %d, %zu <= size <= 1400, seconds >= 1\n", MAX_FLOWS,
                sizeof(struct packet));
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, peer, &to.sin_addr) != 1) { fprintf(stderr, "bondlab: bad peer %s\n", peer); return 2; }
    int sockets[MAX_FLOWS];
    for (int f = 0; f < flows; f++) sockets[f] = udp_socket((uint16_t)(port + 1 + f));
    char buffer[1500] = {0};
    struct packet *p = (struct packet *)buffer;
    p->magic = MAGIC;

    wait_for_lacp();
    /* The receiver is up once it answers; until then its guest may still be booting. */
    int64_t next_sample = now_ns(), next_hello = 0;
    for (;;) {
        int64_t t = now_ns();
        if (t >= next_hello) {
            p->kind = KIND_HELLO;
            sendto(sockets[0], buffer, sizeof *p, 0, (struct sockaddr *)&to, sizeof to);
            next_hello = t + 200000000LL;
        }
        struct packet answer;
        if (recv(sockets[0], &answer, sizeof answer, 0) == (ssize_t)sizeof answer && answer.magic == MAGIC &&
            answer.kind == KIND_HELLO_ACK)
            break;
        if (t >= next_sample) { sample(t, 0, 0, 0); next_sample += SAMPLE_NS; }
        wait_until(sockets[0], next_sample < next_hello ? next_sample : next_hello);
    }

    unsigned long long total = (unsigned long long)rate * (unsigned long long)seconds, seq = 0;
    int64_t start = now_ns(), interval = 1000000000LL / rate;
    emit("M t=%lld start rate=%d flows=%d size=%d seconds=%d", (long long)start, rate, flows, size, seconds);
    next_sample = start;
    p->kind = KIND_DATA;
    while (seq < total) {
        int64_t t = now_ns();
        /* Paced by the clock: a late wake-up sends what is due at once rather than stretching the run. */
        while (seq < total && start + (int64_t)seq * interval <= t) {
            p->flow = (uint16_t)(seq % (unsigned long long)flows);
            p->seq = seq;
            sendto(sockets[p->flow], buffer, (size_t)size, 0, (struct sockaddr *)&to, sizeof to);
            seq++;
        }
        if (t >= next_sample) { sample(t, seq, 0, 0); next_sample += SAMPLE_NS; }
        int64_t next_send = start + (int64_t)seq * interval;
        wait_until(-1, next_send < next_sample ? next_send : next_sample);
    }
    emit("M t=%lld done sent=%llu", (long long)now_ns(), seq);
    p->kind = KIND_END;
    p->seq = seq;
    for (int i = 0; i < 5; i++) {
        sendto(sockets[0], buffer, sizeof *p, 0, (struct sockaddr *)&to, sizeof to);
        usleep(20000);
    }
    record_forever(seq, 0);
}

static int run_receiver(int port)
{
    int fd = udp_socket((uint16_t)port);
    size_t capacity = 1 << 20; /* sequence numbers, one bit each; grown up to 2^26 */
    unsigned char *seen = calloc(capacity / 8, 1);
    int64_t last[MAX_FLOWS] = {0}, next_sample, last_packet = 0, max_gap = 0;
    unsigned long long got = 0, dup = 0, maxseq = 0, sent = 0;
    int ended = 0, started = 0;
    char buffer[1500];
    struct sockaddr_in from;
    socklen_t from_size;
    if (!seen) return 1;

    wait_for_lacp();
    next_sample = now_ns();
    while (!ended) {
        for (;;) {
            from_size = sizeof from;
            ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_size);
            if (n < (ssize_t)sizeof(struct packet)) break;
            struct packet *p = (struct packet *)buffer;
            int64_t t = now_ns();
            if (p->magic != MAGIC) continue;
            if (p->kind == KIND_HELLO) {
                p->kind = KIND_HELLO_ACK;
                sendto(fd, buffer, sizeof *p, 0, (struct sockaddr *)&from, from_size);
                continue;
            }
            if (p->kind == KIND_END) { sent = p->seq; ended = 1; break; }
            if (p->kind != KIND_DATA || p->flow >= MAX_FLOWS) continue;
            if (p->seq >= capacity && p->seq < (1ULL << 26)) {
                size_t grown = capacity;
                while (p->seq >= grown) grown *= 2;
                unsigned char *bigger = realloc(seen, grown / 8);
                if (!bigger) continue;
                memset(bigger + capacity / 8, 0, (grown - capacity) / 8);
                seen = bigger;
                capacity = grown;
            }
            if (p->seq >= capacity) continue;
            started = 1;
            last_packet = t;
            if (seen[p->seq / 8] & (1u << (p->seq % 8))) { dup++; continue; }
            seen[p->seq / 8] |= (unsigned char)(1u << (p->seq % 8));
            got++;
            if (p->seq > maxseq) maxseq = p->seq;
            if (last[p->flow]) {
                int64_t gap = t - last[p->flow];
                if (gap > max_gap) max_gap = gap;
                if (gap > GAP_LINE_NS)
                    emit("G t=%lld flow=%u ms=%.1f from=%lld", (long long)t, p->flow, gap / 1e6,
                         (long long)last[p->flow]);
            }
            last[p->flow] = t;
        }
        int64_t t = now_ns();
        if (started && !ended && t - last_packet > QUIET_NS) ended = 1;
        if (t >= next_sample) {
            sample(t, 0, got, max_gap);
            max_gap = 0;
            next_sample += SAMPLE_NS;
        }
        if (!ended) wait_until(fd, next_sample);
    }

    if (!sent) sent = maxseq + 1;
    emit("R t=%lld sent=%llu got=%llu dup=%llu maxseq=%llu", (long long)now_ns(), sent, got, dup, maxseq);
    for (unsigned long long s = 0; s < sent && s < capacity;) {
        if (seen[s / 8] & (1u << (s % 8))) { s++; continue; }
        unsigned long long first = s;
        while (s < sent && s < capacity && !(seen[s / 8] & (1u << (s % 8)))) s++;
        emit("L %llu %llu", first, s - 1);
    }
    if (sent > capacity) emit("L %llu %llu", (unsigned long long)capacity, sent - 1);
    emit("M t=%lld done got=%llu", (long long)now_ns(), got);
    record_forever(0, got);
}

int main(int argc, char **argv)
{
    if (argc == 9 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "sender") == 0)
        return run_sender(argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]), atoi(argv[8]));
    if (argc == 4 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "receiver") == 0) return run_receiver(atoi(argv[3]));
    fprintf(stderr, "usage: bondlab run sender PEER PORT RATE FLOWS SIZE SECONDS\n"
                    "       bondlab run receiver PORT\n");
    return 2;
}
