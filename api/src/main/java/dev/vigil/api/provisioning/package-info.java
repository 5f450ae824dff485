/** What {@code vigil provision} tells the controller about work it did on hosts, for the audit log. */
package dev.vigil.api.provisioning;
