/* ssync-preferences-window.c: the preferences. Every row is bound to a GSettings key, so a
 * change is saved as it is made; the application reads the keys when it starts and applies
 * those it can while it runs. The S3 secret key and the TURN password are no keys: they go
 * to the session's SsyncSecrets, which keeps them and tells whoever uses them.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-duration.h"
#include "ssync-folder-chooser.h"
#include "ssync-preferences-window-private.h"

/* Upload sizes are shown in megabytes, as g_format_size() counts them. */
#define BYTES_PER_MEGABYTE 1000000.0

/* The size the preferences open with. */
#define WIDTH 600
#define HEIGHT 560


enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SECRETS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#if ADW_CHECK_VERSION (1, 5, 0)
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
G_DEFINE_FINAL_TYPE (SsyncPreferencesWindow, ssync_preferences_window,
                     ADW_TYPE_PREFERENCES_DIALOG)
G_GNUC_END_IGNORE_DEPRECATIONS
#else
G_DEFINE_FINAL_TYPE (SsyncPreferencesWindow, ssync_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)
#endif

/* The settings, or NULL when the schema is not installed (ShareSync run from a build
 * directory without GSETTINGS_SCHEMA_DIR): g_settings_new() would abort then. */
GSettings *
ssync_preferences_lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* The folder received files go to: the "receive-folder" key, or else the Downloads folder,
 * or else the home folder on systems without one. */
GFile *
ssync_preferences_dup_receive_folder (GSettings *settings)
{
  g_autofree char *path = NULL;
  const char *downloads;

  if (settings != NULL)
    path = g_settings_get_string (settings, "receive-folder");
  if (path != NULL && path[0] != '\0')
    return g_file_new_for_path (path);

  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  return g_file_new_for_path (downloads != NULL ? downloads : g_get_home_dir ());
}

void
ssync_preferences_set_accessible_label (GtkWidget  *widget,
                                        const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* An entry row's text field is what a screen reader reaches, so it carries the label. */
void
ssync_preferences_label_entry_row (AdwEntryRow *row)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

  ssync_preferences_set_accessible_label (GTK_WIDGET (row), title);
  if (text != NULL)
    ssync_preferences_set_accessible_label (GTK_WIDGET (text), title);
}

/* The expiry of new shares, picked as in a share's options (ssync-share-options-dialog.c):
 * the same durations, saved as the key's text. */
static const struct {
  const char *label;
  const char *duration;
} expiries[] = {
  { N_("Never"), "" },
  { N_("After 1 hour"), "1h" },
  { N_("After 1 day"), "1d" },
  { N_("After 7 days"), "7d" },
};

/* Shows the key's expiry as the row's choice, adding the key's own value as a last choice
 * when it is none of them (and keeping it offered once another is chosen). */
static void
update_expiry_row (SsyncPreferencesWindow *self)
{
  g_autofree char *saved = g_settings_get_string (self->settings, "default-expiry");
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint selected = G_N_ELEMENTS (expiries);
  gint64 seconds = 0;

  /* Choosing in the row saves the key, which comes back here: the row already says it. */
  if (self->saving_expiry)
    return;
  g_strstrip (saved);
  for (guint i = 0; i < G_N_ELEMENTS (expiries); i++)
    {
      gtk_string_list_append (model, gettext (expiries[i].label));
      if (g_strcmp0 (saved, expiries[i].duration) == 0)
        selected = i;
    }
  if (selected == G_N_ELEMENTS (expiries) && ssync_duration_parse (saved, &seconds, NULL))
    {
      g_free (self->custom_expiry);
      self->custom_expiry = g_strdup (saved);
    }
  else if (selected == G_N_ELEMENTS (expiries))
    selected = 0;  /* unreadable: shares never expire, as the session reads it */
  if (self->custom_expiry != NULL && ssync_duration_parse (self->custom_expiry, &seconds, NULL))
    {
      g_autofree char *duration = ssync_duration_format (seconds);
      /* TRANSLATORS: an expiry set elsewhere, "After 2 hours" */
      g_autofree char *label = g_strdup_printf (_("After %s"), duration);

      gtk_string_list_append (model, label);
    }

  g_signal_handlers_block_matched (self->expiry_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                   self);
  adw_combo_row_set_model (self->expiry_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->expiry_row, selected);
  g_signal_handlers_unblock_matched (self->expiry_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                     self);
}

static void
on_expiry_selected (SsyncPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->expiry_row);
  const char *duration = selected < G_N_ELEMENTS (expiries) ? expiries[selected].duration
                                                             : self->custom_expiry;

  if (duration == NULL)
    return;
  self->saving_expiry = TRUE;
  g_settings_set_string (self->settings, "default-expiry", duration);
  self->saving_expiry = FALSE;
}

static gboolean
get_megabytes (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  g_value_set_double (value, (double) g_variant_get_uint64 (variant) / BYTES_PER_MEGABYTE);
  return TRUE;
}

static GVariant *
set_megabytes (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  double megabytes = g_value_get_double (value);

  return g_variant_new_uint64 ((guint64) (MAX (megabytes, 0) * BYTES_PER_MEGABYTE));
}

static void
update_folder_row (SsyncPreferencesWindow *self)
{
  g_autoptr(GFile) folder = ssync_preferences_dup_receive_folder (self->settings);
  g_autofree char *path = g_file_get_path (folder);
  g_autofree char *display = g_filename_display_name (path);

  adw_action_row_set_subtitle (self->folder_row, display);
}

static void
set_receive_folder (SsyncPreferencesWindow *self,
                    GFile                  *folder)
{
  g_autofree char *path = g_file_get_path (folder);

  /* A folder without a local path (a remote location) cannot take uploads. */
  if (path == NULL)
    {
      AdwToast *toast = adw_toast_new (_("Choose a folder on this computer"));

#if ADW_CHECK_VERSION (1, 5, 0)
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      adw_preferences_dialog_add_toast (ADW_PREFERENCES_DIALOG (self), toast);
      G_GNUC_END_IGNORE_DEPRECATIONS
#else
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
#endif
      return;
    }
  g_settings_set_string (self->settings, "receive-folder", path);
}

static void
on_folder_chosen (GFile        *folder,
                  const GError *error,
                  gpointer      user_data)
{
  if (folder != NULL)
    set_receive_folder (user_data, folder);
}

static void
choose_folder (SsyncPreferencesWindow *self)
{
  g_autoptr(GFile) current = ssync_preferences_dup_receive_folder (self->settings);

  ssync_choose_folder (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                       _("Receive Files Into"), _("_Select"), current, self->cancellable,
                       on_folder_chosen, g_object_ref (self), g_object_unref);
}

typedef struct {
  gpointer object;
  const char *property;
} Bound;

/* g_settings_bind(), remembered for the unbinding in dispose. */
void
ssync_preferences_bind_key (SsyncPreferencesWindow  *self,
                            const char              *key,
                            gpointer                 object,
                            const char              *property,
                            GSettingsBindGetMapping  get_mapping,
                            GSettingsBindSetMapping  set_mapping)
{
  Bound bound = { object, property };

  g_settings_bind_with_mapping (self->settings, key, object, property, G_SETTINGS_BIND_DEFAULT,
                                get_mapping, set_mapping, NULL, NULL);
  g_array_append_val (self->bound, bound);
}

/* The keys of running in the background come with the background support; a schema without
 * them (an older installed one) leaves their rows out rather than aborting in the binding. */
static void
bind_background_rows (SsyncPreferencesWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  gboolean any = FALSE;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  if (g_settings_schema_has_key (schema, "run-in-background"))
    {
      ssync_preferences_bind_key (self, "run-in-background", self->run_in_background_switch, "active", NULL, NULL);
      any = TRUE;
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->run_in_background_row), FALSE);
  if (g_settings_schema_has_key (schema, "start-at-login"))
    {
      ssync_preferences_bind_key (self, "start-at-login", self->start_at_login_switch, "active", NULL, NULL);
      any = TRUE;
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->start_at_login_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->background_group), any);
}

static void
ssync_preferences_window_constructed (GObject *object)
{
  SsyncPreferencesWindow *self = SSYNC_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (ssync_preferences_window_parent_class)->constructed (object);

  ssync_preferences_bind_key (self, "port", self->port_spin, "value", NULL, NULL);
  ssync_preferences_bind_key (self, "bind-address", self->bind_row, "text", NULL, NULL);
  g_signal_connect_object (self->settings, "changed::default-expiry",
                           G_CALLBACK (update_expiry_row), self, G_CONNECT_SWAPPED);
  update_expiry_row (self);
  g_signal_connect_object (self->expiry_row, "notify::selected",
                           G_CALLBACK (on_expiry_selected), self, G_CONNECT_SWAPPED);
  ssync_preferences_bind_key (self, "download-limit", self->download_limit_spin, "value", NULL, NULL);
  ssync_preferences_bind_key (self, "max-upload-size", self->max_upload_spin, "value", get_megabytes,
            set_megabytes);
  ssync_preferences_bind_key (self, "auto-accept", self->auto_accept_switch, "active", NULL, NULL);
  bind_background_rows (self);

  g_signal_connect_object (self->settings, "changed::receive-folder",
                           G_CALLBACK (update_folder_row), self, G_CONNECT_SWAPPED);
  update_folder_row (self);
  ssync_preferences_bind_cloud_rows (self);
}

static void
ssync_preferences_window_dispose (GObject *object)
{
  SsyncPreferencesWindow *self = SSYNC_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  /* With GTK 4.8 and libadwaita 1.2, a GtkSpinButton in an AdwPreferencesWindow outlives
   * the window, and its binding would keep the settings alive with it; the bindings end
   * here instead, all of them, so that no other leaked widget can do the same. */
  if (self->settings != NULL && self->bound != NULL)
    {
      for (guint i = 0; i < self->bound->len; i++)
        {
          Bound *bound = &g_array_index (self->bound, Bound, i);

          g_settings_unbind (bound->object, bound->property);
          g_settings_unbind (bound->object, "sensitive");
        }
    }
  g_clear_pointer (&self->bound, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_PREFERENCES_WINDOW);
#if ADW_CHECK_VERSION (1, 5, 0)
  g_clear_weak_pointer (&self->parent);
#endif
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ssync_preferences_window_parent_class)->dispose (object);
}

static void
ssync_preferences_window_finalize (GObject *object)
{
  SsyncPreferencesWindow *self = SSYNC_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->secrets);
  g_free (self->custom_expiry);

  G_OBJECT_CLASS (ssync_preferences_window_parent_class)->finalize (object);
}

static void
ssync_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  SsyncPreferencesWindow *self = SSYNC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_SECRETS:
      g_value_set_object (value, self->secrets);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  SsyncPreferencesWindow *self = SSYNC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_SECRETS:
      self->secrets = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The template's parent is Debian 12's AdwPreferencesWindow; from libadwaita 1.5 the class
 * is an AdwPreferencesDialog, and GtkBuilder wants the parent named exactly. */
static void
set_template (GtkWidgetClass *widget_class)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resources_lookup_data ("/io/github/sharesync/ShareSync/ssync-preferences-window.ui",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
#if ADW_CHECK_VERSION (1, 5, 0)
  {
    g_autoptr(GString) ui = g_string_new_len (g_bytes_get_data (bytes, NULL),
                                              (gssize) g_bytes_get_size (bytes));

    g_string_replace (ui, "parent=\"AdwPreferencesWindow\"", "parent=\"AdwPreferencesDialog\"",
                      1);
    g_bytes_unref (bytes);
    bytes = g_string_free_to_bytes (g_steal_pointer (&ui));
  }
#endif
  gtk_widget_class_set_template (widget_class, bytes);
}

static void
ssync_preferences_window_class_init (SsyncPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_preferences_window_constructed;
  object_class->dispose = ssync_preferences_window_dispose;
  object_class->finalize = ssync_preferences_window_finalize;
  object_class->get_property = ssync_preferences_window_get_property;
  object_class->set_property = ssync_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECRETS] =
    g_param_spec_object ("secrets", NULL, NULL, SSYNC_TYPE_SECRETS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  set_template (widget_class);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, general_page);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, receiving_page);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, cloud_page);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, bind_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        download_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, folder_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, max_upload_spin);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        auto_accept_switch);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, background_group);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        run_in_background_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        start_at_login_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        start_at_login_switch);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, s3_endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, s3_region_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, s3_bucket_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        s3_path_style_switch);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        s3_access_key_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, s3_secret_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, stun_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, turn_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, turn_user_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow, turn_password_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        turn_password_status);
  gtk_widget_class_bind_template_child (widget_class, SsyncPreferencesWindow,
                                        s3_secret_status);
}

static void
ssync_preferences_window_init (SsyncPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->bound = g_array_new (FALSE, FALSE, sizeof (Bound));

  g_signal_connect_object (self->folder_button, "clicked", G_CALLBACK (choose_folder), self,
                           G_CONNECT_SWAPPED);
  ssync_preferences_label_entry_row (self->bind_row);
}

/* @parent: the window the preferences belong to (may be NULL).
 * @secrets: where the S3 secret key and the TURN password go (the session's). */
SsyncPreferencesWindow *
ssync_preferences_window_new (GtkWindow    *parent,
                              GSettings    *settings,
                              SsyncSecrets *secrets)
{
  SsyncPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SSYNC_IS_SECRETS (secrets), NULL);

  self = g_object_new (SSYNC_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       "secrets", secrets,
                       NULL);
#if ADW_CHECK_VERSION (1, 5, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  adw_dialog_set_content_width (ADW_DIALOG (self), WIDTH);
  adw_dialog_set_content_height (ADW_DIALOG (self), HEIGHT);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* A dialog only outlives its parent's window through this weak pointer, never longer. */
  g_set_weak_pointer (&self->parent, parent);
#else
  gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), WIDTH, HEIGHT);
#endif
  return self;
}

/* Shows the preferences over their parent window: in it for a dialog, beside it for a window. */
void
ssync_preferences_window_present (SsyncPreferencesWindow *self)
{
  g_return_if_fail (SSYNC_IS_PREFERENCES_WINDOW (self));

#if ADW_CHECK_VERSION (1, 5, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  adw_dialog_present (ADW_DIALOG (self), GTK_WIDGET (self->parent));
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  gtk_window_present (GTK_WINDOW (self));
#endif
}

/* Closes the preferences at once, as a user would. */
void
ssync_preferences_window_close (SsyncPreferencesWindow *self)
{
  g_return_if_fail (SSYNC_IS_PREFERENCES_WINDOW (self));

#if ADW_CHECK_VERSION (1, 5, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  adw_dialog_force_close (ADW_DIALOG (self));
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  gtk_window_destroy (GTK_WINDOW (self));
#endif
}
