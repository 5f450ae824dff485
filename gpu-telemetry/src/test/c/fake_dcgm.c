/* The fake libdcgm.so.4: see DcgmBackendTest. */
