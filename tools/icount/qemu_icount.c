/* qemu_icount: a TCG plugin for qemu-user that counts the guest instructions executed, in total and
 * inside regions the guest marks by calling two functions (by default icount_begin and icount_end,
 * as tools/icount/driver.cc does).
 *
 *   qemu-arm -cpu cortex-a15 -plugin ./qemu_icount.so,out=counts.txt ./icount-driver ...
 *
 * Output (to out=FILE, else stderr), one line each:
 *   icount total <instructions of the whole run>
 *   icount region <k> <instructions between the k-th icount_begin and icount_end>
 *   icount markers <found: 0 or 1>
 *
 * How: every translation block gets an inline "add its instruction count to a counter" op, so the
 * counter is the number of guest instructions executed (of every block run to its end; a block left
 * early by a fault would be over-counted, which a benchmark driver never does). A block whose first
 * instruction lies in the begin (end) marker function also gets a callback that snapshots the
 * counter. The markers are found by name: qemu-user reads the guest binary's symbol table, so the
 * driver must not be stripped. Constant costs of the markers themselves cancel in differences of
 * regions (lowbit icount only uses differences).
 *
 * The counts are a function of the guest binary, its input and the emulated CPU model (which decides
 * e.g. glibc's IFUNC choices and lowbit's path): they do not depend on the host, its load or qemu's
 * speed. One vCPU only (qemu-user runs guest threads as vCPUs; the driver is single-threaded, and the
 * inline op is not atomic).
 *
 * qemu-plugin.h is not packaged by Debian: the few declarations of the plugin API version 1 (QEMU 4.2
 * to 8.x; Debian 12 ships 7.2) used here are written out below, as that header declares them. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the subset of qemu's include/qemu/qemu-plugin.h (API version 1) this plugin uses ---- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
QEMU_PLUGIN_EXPORT extern int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv);
/* ---- end of the qemu-plugin.h subset ---- */

#define QEMU_PLUGIN_VERSION 1
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_REGIONS 256

static uint64_t executed;          /* guest instructions executed so far (inline op) */
static uint64_t region_start;      /* `executed` at the last begin marker */
static bool in_region;
static uint64_t regions[MAX_REGIONS];
static int n_regions;
static int overflowed, unbalanced;
static bool markers_seen;
static const char *begin_symbol = "icount_begin";
static const char *end_symbol = "icount_end";
static const char *out_path;

static void on_begin(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  if (in_region) ++unbalanced;
  in_region = true;
  region_start = executed;
}

static void on_end(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  if (!in_region) {
    ++unbalanced;
    return;
  }
  in_region = false;
  if (n_regions < MAX_REGIONS) regions[n_regions++] = executed - region_start;
  else ++overflowed;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  if (n == 0) return;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
  const char *symbol = qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, 0));
  if (symbol == NULL) return;
  if (strcmp(symbol, begin_symbol) == 0) {
    markers_seen = true;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
  } else if (strcmp(symbol, end_symbol) == 0) {
    markers_seen = true;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
  }
}

static void report(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  FILE *out = stderr;
  if (out_path != NULL) {
    out = fopen(out_path, "w");
    if (out == NULL) {
      fprintf(stderr, "qemu_icount: cannot write %s\n", out_path);
      out = stderr;
    }
  }
  fprintf(out, "icount total %" PRIu64 "\n", executed);
  for (int i = 0; i < n_regions; ++i) fprintf(out, "icount region %d %" PRIu64 "\n", i, regions[i]);
  fprintf(out, "icount markers %d\n", markers_seen ? 1 : 0);
  if (in_region || unbalanced) fprintf(out, "icount unbalanced %d\n", unbalanced + (in_region ? 1 : 0));
  if (overflowed) fprintf(out, "icount overflowed %d\n", overflowed);
  if (out != stderr) fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
  if (info->system_emulation) {
    fprintf(stderr, "qemu_icount: for qemu-user only\n");
    return -1;
  }
  for (int i = 0; i < argc; ++i) {
    const char *arg = argv[i];
    if (strncmp(arg, "out=", 4) == 0) out_path = arg + 4;
    else if (strncmp(arg, "begin=", 6) == 0) begin_symbol = arg + 6;
    else if (strncmp(arg, "end=", 4) == 0) end_symbol = arg + 4;
    else {
      fprintf(stderr, "qemu_icount: unknown argument '%s' (out=FILE, begin=SYMBOL, end=SYMBOL)\n", arg);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, report, NULL);
  return 0;
}
