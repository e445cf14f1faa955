#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pemcert.h"

/* Made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256
 * -subj /CN=camcat-test`; FP is what `openssl x509 -noout -fingerprint
 * -sha256` printed for it. */
static const char CERT[] = "-----BEGIN CERTIFICATE-----\n"
                           "MIIBkTCCATigAwIBAgIUWzoxu4PILtGS50VN7QgxsSLczBYwCgYIKoZIzj0EAwIw\n"
                           "FjEUMBIGA1UEAwwLY2FtY2F0LXRlc3QwHhcNMjYxMTMwMTU0NTExWhcNMzYxMTI3\n"
                           "MTU0NTExWjAWMRQwEgYDVQQDDAtjYW1jYXQtdGVzdDBZMBMGByqGSM49AgEGCCqG\n"
                           "SM49AwEHA0IABEIhOlq7yCUWR4SFbfE/x5ZbpBZJAsHtCVi5DMEIDuZHKg3TDyXF\n"
                           "dji3gSzZkiW8nKqOQ1FpiPTEiED0BwPgiGSjZDBiMB0GA1UdDgQWBBQRrcYWYo0R\n"
                           "BSKxV5wAGy3TFI3+VTAfBgNVHSMEGDAWgBQRrcYWYo0RBSKxV5wAGy3TFI3+VTAP\n"
                           "BgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwCgYIKoZIzj0EAwIDRwAw\n"
                           "RAIgFPuYou9FZl/I0eiLb6eVHnJ11pUj0roiqFlyfqqtRN8CICq3FNAfQicuwnE5\n"
                           "r8LKrwnxhDrKIOUUr26Zf0qvp8sb\n"
                           "-----END CERTIFICATE-----\n";
static const char FP[] = "09:CE:EE:CD:EB:3A:45:B7:1E:DD:EF:E5:DE:95:FB:11:62:AB:14:DE:54:5D:48:"
                         "BF:6F:67:FB:52:E5:86:19:F1";

static const char KEY[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n"
                          "-----END PRIVATE KEY-----\n";

static char *cat2(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
    return s;
}

static void test_fingerprint_matches_openssl(void **state)
{
    char fp[CC_PEM_FP_STR];
    assert_int_equal(cc_pem_cert_fingerprint(CERT, strlen(CERT), fp), 0);
    assert_string_equal(fp, FP);
    /* Key first, then the certificate (what camcat cert writes), and CRLF
     * line ends: the same certificate. */
    char *both = cat2(KEY, CERT);
    assert_int_equal(cc_pem_cert_fingerprint(both, strlen(both), fp), 0);
    assert_string_equal(fp, FP);
    free(both);
    char crlf[sizeof(CERT) * 2];
    size_t n = 0;
    for (const char *p = CERT; *p; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    assert_int_equal(cc_pem_cert_fingerprint(crlf, n, fp), 0);
    assert_string_equal(fp, FP);
}

static void test_der_is_the_decoded_block(void **state)
{
    uint8_t *der;
    size_t n;
    assert_int_equal(cc_pem_cert_der(CERT, strlen(CERT), &der, &n), 0);
    /* 30 82 01 91: a SEQUENCE of 0x191 bytes, the whole certificate. */
    assert_int_equal(n, 4 + 0x191);
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], 0x82);
    free(der);
}

/* Every cut of the file short of the END line is refused, never read past. */
static void test_truncated(void **state)
{
    size_t len = strlen(CERT);
    char fp[CC_PEM_FP_STR];
    for (size_t n = 0; n < len - 1; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, CERT, n);
        int rc = cc_pem_cert_fingerprint(copy, n, fp);
        free(copy);
        if (n < len - strlen("-----END CERTIFICATE-----\n"))
            assert_true(rc == -ENOENT);
    }
    /* The END line kept but base64 lines dropped: not a certificate. */
    const char *end = strstr(CERT, "-----END");
    char *cut = cat2("-----BEGIN CERTIFICATE-----\nMIIBkTCCATigAwIBAgIU\n", end);
    assert_int_equal(cc_pem_cert_fingerprint(cut, strlen(cut), fp), -EINVAL);
    free(cut);
}

static void test_garbage(void **state)
{
    char fp[CC_PEM_FP_STR];
    static const char *const bad[] = {
        "",
        "hello\n",
        KEY,
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB*kTCC\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMA==AAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMAB=\n-----END CERTIFICATE-----\n",
        /* 30 00: an empty SEQUENCE, no certificate inside. */
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
        /* 30 84 ...: a length of over 16 MiB. */
        "-----BEGIN CERTIFICATE-----\nMIQAAAAA\n-----END CERTIFICATE-----\n",
        /* 30 05 30 03: the inner SEQUENCE runs past the outer one. */
        "-----BEGIN CERTIFICATE-----\nMAUwAwAA\n-----END CERTIFICATE-----\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(cc_pem_cert_fingerprint(bad[i], strlen(bad[i]), fp) < 0);
    /* NUL bytes inside the block are not base64. */
    char nul[] = "-----BEGIN CERTIFICATE-----\nMA\0A\n-----END CERTIFICATE-----\n";
    assert_int_equal(cc_pem_cert_fingerprint(nul, sizeof(nul) - 1, fp), -EINVAL);
}

static void test_find_key(void **state)
{
    assert_int_equal(cc_pem_find_key(KEY, strlen(KEY)), 0);
    assert_int_equal(cc_pem_find_key(CERT, strlen(CERT)), -ENOENT);
    char *both = cat2(CERT, KEY);
    assert_int_equal(cc_pem_find_key(both, strlen(both)), 0);
    free(both);
    static const char ec[] = "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n";
    assert_int_equal(cc_pem_find_key(ec, strlen(ec)), 0);
    static const char enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIH\n"
                              "-----END ENCRYPTED PRIVATE KEY-----\n";
    assert_int_equal(cc_pem_find_key(enc, strlen(enc)), -EACCES);
    static const char old[] = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                              "DEK-Info: AES-128-CBC,00\n\nMIIE\n-----END RSA PRIVATE KEY-----\n";
    assert_int_equal(cc_pem_find_key(old, strlen(old)), -EACCES);
    static const char cut[] = "-----BEGIN PRIVATE";
    assert_int_equal(cc_pem_find_key(cut, strlen(cut)), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_matches_openssl),
        cmocka_unit_test(test_der_is_the_decoded_block),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_find_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
