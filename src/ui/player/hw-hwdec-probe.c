/* hw-hwdec-probe.c: which hardware video decoders this machine has.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-mpv"

#include "config.h"

#include <string.h>

#if HAVE_LIBAVUTIL
#include <libavutil/buffer.h>
#include <libavutil/hwcontext.h>
#endif

#include "hw-hwdec-probe.h"

/* Hardware decoding APIs, as bits. */
enum {
  API_VAAPI = 1 << 0,
  API_VDPAU = 1 << 1,
  API_CUDA  = 1 << 2,
};

struct _HwHwdecProbe
{
  GObject       parent_instance;

  char         *setting;        /* the hwdec setting last asked for */
  gboolean      known;          /* a probe answered (a newer one may run) */
  guint         apis;           /* what opened, when known */
  gboolean      devices;        /* a GPU device node was there */
  guint         generation;     /* a probe's answer counts only if no newer one started */
  gboolean      said;           /* the answer was logged at least once */

  GFileMonitor *dev_monitor;    /* /dev: "dri" or "nvidia*" appearing */
  GFileMonitor *dri_monitor;    /* /dev/dri: render nodes appearing */
  guint         reprobe_id;     /* a device event, settling */
};

G_DEFINE_FINAL_TYPE (HwHwdecProbe, hw_hwdec_probe, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_probe (HwHwdecProbe *self);

/* ------------------------------------------------------------------ */
/* The probe (a worker thread)                                         */

typedef struct
{
  guint    generation;
  guint    apis;
  gboolean devices;
} ProbeResult;

static gboolean
is_gpu_node (const char *name)
{
  return g_str_has_prefix (name, "renderD") || g_str_has_prefix (name, "card") ||
         g_str_has_prefix (name, "nvidia") || g_str_equal (name, "dri");
}

/* The device nodes a decoder needs: none is the common case (a VM, a
 * container, a PC without a GPU driver), and then nothing is opened. */
static guint
device_apis (void)
{
  g_autoptr(GDir) dri = g_dir_open ("/dev/dri", 0, NULL);
  gboolean render = FALSE, card = FALSE;
  const char *name;
  guint apis = 0;

  while (dri != NULL && (name = g_dir_read_name (dri)) != NULL)
    {
      render |= g_str_has_prefix (name, "renderD");
      card |= g_str_has_prefix (name, "card");
    }
  if (render || card)
    apis |= API_VAAPI | API_VDPAU;
  if (g_file_test ("/dev/nvidia0", G_FILE_TEST_EXISTS) ||
      g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS))
    apis |= API_VDPAU | API_CUDA;
  return apis;
}

#if HAVE_LIBAVUTIL
/* Opens each candidate once, the way mpv's decoders would. */
static guint
opening_apis (guint candidates)
{
  static const struct { guint api; enum AVHWDeviceType type; } table[] = {
    { API_VAAPI, AV_HWDEVICE_TYPE_VAAPI },
    { API_VDPAU, AV_HWDEVICE_TYPE_VDPAU },
    { API_CUDA, AV_HWDEVICE_TYPE_CUDA },
  };
  guint apis = 0;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      AVBufferRef *device = NULL;

      if ((candidates & table[i].api) == 0)
        continue;
      if (av_hwdevice_ctx_create (&device, table[i].type, NULL, NULL, 0) == 0)
        apis |= table[i].api;
      av_buffer_unref (&device);
    }
  return apis;
}
#else
/* Without libavutil a device node is taken at its word: mpv decides. */
static guint
opening_apis (guint candidates)
{
  return candidates;
}
#endif

static void
probe_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ProbeResult *result = g_new0 (ProbeResult, 1);
  guint candidates = device_apis ();

  result->generation = GPOINTER_TO_UINT (task_data);
  result->devices = candidates != 0;
  result->apis = candidates != 0 ? opening_apis (candidates) : 0;
  g_task_return_pointer (task, result, g_free);
}

/* ------------------------------------------------------------------ */
/* The answer                                                          */

/* The APIs @setting can use: 0 for "no", every one for "auto…"/"yes";
 * one that is not probed here (drm, v4l2m2m…) is trusted as it is. */
static guint
setting_apis (const char *setting,
              gboolean   *probed)
{
  *probed = TRUE;
  if (g_str_equal (setting, "no"))
    return 0;
  if (g_str_has_prefix (setting, "auto") || g_str_equal (setting, "yes"))
    return API_VAAPI | API_VDPAU | API_CUDA;
  if (g_str_has_prefix (setting, "vaapi"))
    return API_VAAPI;
  if (g_str_has_prefix (setting, "vdpau"))
    return API_VDPAU;
  if (g_str_has_prefix (setting, "nvdec") || g_str_has_prefix (setting, "cuda"))
    return API_CUDA;
  *probed = FALSE;
  return 0;
}

static char *
describe_apis (guint apis)
{
  GString *text = g_string_new (NULL);

  if (apis & API_VAAPI)
    g_string_append (text, "VA-API, ");
  if (apis & API_VDPAU)
    g_string_append (text, "VDPAU, ");
  if (apis & API_CUDA)
    g_string_append (text, "CUDA, ");
  if (text->len > 0)
    g_string_truncate (text, text->len - 2);
  return g_string_free (text, FALSE);
}

static void
say_answer (HwHwdecProbe *self)
{
  g_autofree char *found = describe_apis (self->apis);

  if (self->apis != 0)
    g_message ("Hardware decoding: %s here; mpv picks per item (hwdec %s)", found,
               self->setting);
  else if (self->devices)
    g_message ("Hardware decoding: no decoder opens on this GPU; cells decode in software "
               "(looked at again when the hwdec setting changes or a GPU appears)");
  else
    g_message ("Hardware decoding: no GPU device; cells decode in software "
               "(looked at again when the hwdec setting changes or a GPU appears)");
}

static void
on_probed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HwHwdecProbe) self = user_data;
  g_autofree ProbeResult *found = g_task_propagate_pointer (G_TASK (result), NULL);
  gboolean was_known = self->known;
  guint old_apis = self->apis;

  if (found == NULL || found->generation != self->generation)
    return;   /* a newer probe answers */

  self->known = TRUE;
  self->apis = found->apis;
  self->devices = found->devices;
  if (!self->said || old_apis != self->apis)
    say_answer (self);
  self->said = TRUE;
  /* Until the first answer everybody was told "no": only an answer other
   * than that changes anything for the players. */
  if (was_known ? old_apis != self->apis : self->apis != 0)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
start_probe (HwHwdecProbe *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_probed, g_object_ref (self));

  self->generation++;
  g_task_set_task_data (task, GUINT_TO_POINTER (self->generation), NULL);
  g_task_run_in_thread (task, probe_thread);
}

const char *
hw_hwdec_probe_answer (HwHwdecProbe *self,
                       const char   *setting)
{
  gboolean probed;
  guint wanted;

  g_return_val_if_fail (HW_IS_HWDEC_PROBE (self), "no");

  if (setting == NULL || *setting == '\0')
    setting = "auto-safe";

  wanted = setting_apis (setting, &probed);
  if (!probed)
    return setting;
  return self->known && (self->apis & wanted) != 0 ? setting : "no";
}

const char *
hw_hwdec_probe_resolve (HwHwdecProbe *self,
                        const char   *setting)
{
  g_return_val_if_fail (HW_IS_HWDEC_PROBE (self), "no");

  if (setting == NULL || *setting == '\0')
    setting = "auto-safe";

  if (!g_str_equal (setting, "no") && g_strcmp0 (setting, self->setting) != 0)
    {
      g_free (self->setting);
      self->setting = g_strdup (setting);
      self->said = FALSE;
      start_probe (self);
    }
  return hw_hwdec_probe_answer (self, setting);
}

/* ------------------------------------------------------------------ */
/* A GPU appearing                                                     */

static gboolean
reprobe (gpointer data)
{
  HwHwdecProbe *self = data;

  self->reprobe_id = 0;
  if (self->setting != NULL)
    start_probe (self);
  return G_SOURCE_REMOVE;
}

static void watch_dri (HwHwdecProbe *self);

static void
on_device_event (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 HwHwdecProbe      *self)
{
  g_autofree char *name = g_file_get_basename (file);

  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_DELETED)
    return;
  if (!is_gpu_node (name))
    return;

  if (g_str_equal (name, "dri"))
    watch_dri (self);
  /* A driver makes its nodes one after the other: let them settle. */
  g_clear_handle_id (&self->reprobe_id, g_source_remove);
  self->reprobe_id = g_timeout_add_seconds (2, reprobe, self);
}

static GFileMonitor *
watch (HwHwdecProbe *self,
       const char   *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  GFileMonitor *monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, NULL);

  if (monitor != NULL)
    g_signal_connect_object (monitor, "changed", G_CALLBACK (on_device_event), self,
                             G_CONNECT_DEFAULT);
  return monitor;
}

static void
watch_dri (HwHwdecProbe *self)
{
  g_clear_object (&self->dri_monitor);
  if (g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR))
    self->dri_monitor = watch (self, "/dev/dri");
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

HwHwdecProbe *
hw_hwdec_probe_get_default (void)
{
  static HwHwdecProbe *probe;

  if (probe == NULL)
    probe = g_object_new (HW_TYPE_HWDEC_PROBE, NULL);
  return probe;
}

static void
hw_hwdec_probe_dispose (GObject *object)
{
  HwHwdecProbe *self = HW_HWDEC_PROBE (object);

  g_clear_handle_id (&self->reprobe_id, g_source_remove);
  g_clear_object (&self->dev_monitor);
  g_clear_object (&self->dri_monitor);

  G_OBJECT_CLASS (hw_hwdec_probe_parent_class)->dispose (object);
}

static void
hw_hwdec_probe_finalize (GObject *object)
{
  HwHwdecProbe *self = HW_HWDEC_PROBE (object);

  g_free (self->setting);

  G_OBJECT_CLASS (hw_hwdec_probe_parent_class)->finalize (object);
}

static void
hw_hwdec_probe_class_init (HwHwdecProbeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_hwdec_probe_dispose;
  object_class->finalize = hw_hwdec_probe_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hw_hwdec_probe_init (HwHwdecProbe *self)
{
  self->dev_monitor = watch (self, "/dev");
  watch_dri (self);
}
