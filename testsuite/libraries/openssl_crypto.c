/* A workout of OpenSSL 3's libcrypto (Debian's arm64 libcrypto.a, linked statically) for
 * tests/libraries.rs: message digests, fourteen ciphers (encrypted and decrypted again, the round
 * trip checked), HMAC and PBKDF2, big-number arithmetic (Montgomery exponentiation, division, gcd,
 * inverses), scalar multiplication on four elliptic curves, and Ed25519 and X25519 with fixed keys.
 * Everything is deterministic, so its output can be compared with qemu-aarch64's. OpenSSL picks its
 * routines by AT_HWCAP (or the OPENSSL_armcap variable): the ARMv8 crypto-extension assembly
 * (AESE/AESMC, PMULL, SHA256H, ...) where they are advertised, vector-permute AES (TBL) and table
 * GHASH where not; hand-written assembly of either kind does not keep the procedure call standard
 * (aes_v8_set_decrypt_key takes x2 and x12 from aes_v8_set_encrypt_key). The argument is the number
 * of rounds (default 1); the output ends with "done". */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char input[1 << 20];

static void print_hex(const char *label, const unsigned char *bytes, size_t length) {
    printf("%s ", label);
    for (size_t i = 0; i < length; i++) {
        printf("%02x", bytes[i]);
    }
    printf("\n");
}

static void digest(const char *name, int rounds) {
    const EVP_MD *md = EVP_get_digestbyname(name);
    if (md == NULL) {
        printf("%s unavailable\n", name);
        return;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(context, md, NULL);
    for (int r = 0; r < rounds; r++) {
        EVP_DigestUpdate(context, input, sizeof input - r);
    }
    EVP_DigestFinal_ex(context, out, &length);
    EVP_MD_CTX_free(context);
    print_hex(name, out, length);
}

static int is_aead(const EVP_CIPHER *cipher) {
    int mode = EVP_CIPHER_get_mode(cipher);
    return mode == EVP_CIPH_GCM_MODE || mode == EVP_CIPH_OCB_MODE || EVP_CIPHER_get_nid(cipher) == NID_chacha20_poly1305;
}

/* Encrypts `input` (shortened by 37 bytes a round), folds the ciphertext and tag into 32 bytes,
 * and checks that decryption gives the input back. */
static void cipher(const char *name, int rounds) {
    const EVP_CIPHER *cipher = EVP_get_cipherbyname(name);
    if (cipher == NULL) {
        printf("%s unavailable\n", name);
        return;
    }
    unsigned char key[64], iv[16], tag[16], folded[32] = {0};
    for (int i = 0; i < 64; i++) {
        key[i] = (unsigned char)(i * 7 + 1);
    }
    for (int i = 0; i < 16; i++) {
        iv[i] = (unsigned char)(i * 13 + 5);
    }
    static unsigned char sealed[sizeof input + 64], opened[sizeof input + 64];
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    for (int r = 0; r < rounds; r++) {
        int length = (int)(sizeof input) - 37 * r, n = 0, m = 0;
        EVP_EncryptInit_ex(context, cipher, NULL, key, iv);
        if (is_aead(cipher)) {
            EVP_EncryptUpdate(context, NULL, &n, (const unsigned char *)"aad", 3);
        }
        EVP_EncryptUpdate(context, sealed, &n, input, length);
        EVP_EncryptFinal_ex(context, sealed + n, &m);
        for (int i = 0; i < n + m; i++) {
            folded[i % 32] ^= sealed[i];
        }
        if (is_aead(cipher)) {
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16, tag);
            for (int i = 0; i < 16; i++) {
                folded[i] ^= tag[i];
            }
        }
        int d = 0, e = 0;
        EVP_DecryptInit_ex(context, cipher, NULL, key, iv);
        if (is_aead(cipher)) {
            EVP_DecryptUpdate(context, NULL, &d, (const unsigned char *)"aad", 3);
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, 16, tag);
        }
        EVP_DecryptUpdate(context, opened, &d, sealed, n + m);
        int ok = EVP_DecryptFinal_ex(context, opened + d, &e);
        if (!ok || d + e != length || memcmp(opened, input, (size_t)length) != 0) {
            printf("%s round trip FAILED\n", name);
        }
    }
    EVP_CIPHER_CTX_free(context);
    print_hex(name, folded, sizeof folded);
}

static void print_bn(const char *label, int bits, const BIGNUM *value) {
    char *text = BN_bn2hex(value);
    printf("%s%d %.64s\n", label, bits, text);
    OPENSSL_free(text);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    for (size_t i = 0; i < sizeof input; i++) {
        input[i] = (unsigned char)(i * 2654435761u >> 13);
    }
    const char *digests[] = {"MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHAKE128", "BLAKE2b512", "SM3", "RIPEMD160"};
    for (size_t i = 0; i < sizeof digests / sizeof *digests; i++) {
        digest(digests[i], rounds);
    }
    const char *ciphers[] = {"AES-128-CBC", "AES-256-CBC", "AES-128-CTR", "AES-256-GCM", "AES-128-ECB", "AES-256-XTS", "CHACHA20-POLY1305", "CHACHA20", "DES-EDE3-CBC", "CAMELLIA-128-CBC", "ARIA-128-CBC", "SM4-CBC", "AES-128-OCB", "AES-256-CFB"};
    for (size_t i = 0; i < sizeof ciphers / sizeof *ciphers; i++) {
        cipher(ciphers[i], rounds);
    }
    unsigned char mac[EVP_MAX_MD_SIZE], derived[32];
    unsigned int mac_length = 0;
    HMAC(EVP_sha256(), "key", 3, input, 4096, mac, &mac_length);
    print_hex("HMAC-SHA256", mac, mac_length);
    PKCS5_PBKDF2_HMAC("password", 8, (const unsigned char *)"salt", 4, 2000 * rounds, EVP_sha512(), 32, derived);
    print_hex("PBKDF2", derived, sizeof derived);

    BN_CTX *bn_context = BN_CTX_new();
    BIGNUM *a = BN_new(), *p = BN_new(), *m = BN_new(), *r = BN_new();
    for (int bits = 512; bits <= 4096; bits *= 2) {
        BN_set_word(m, 1);
        BN_lshift(m, m, bits);
        BN_sub_word(m, 159);
        BN_set_word(a, 123456789);
        BN_lshift(a, a, bits - 40);
        BN_add_word(a, 987654321);
        BN_set_word(p, 65537);
        BN_lshift(p, p, bits - 20);
        BN_add_word(p, 3);
        BN_mod_exp(r, a, p, m, bn_context);
        print_bn("modexp", bits, r);
        BN_mul(r, a, p, bn_context);
        BN_div(r, NULL, r, m, bn_context);
        print_bn("muldiv", bits, r);
        BN_gcd(r, a, m, bn_context);
        print_bn("gcd", bits, r);
        BN_mod_inverse(r, a, m, bn_context);
        print_bn("inverse", bits, r);
    }
    int curves[] = {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1, NID_secp256k1};
    for (size_t i = 0; i < sizeof curves / sizeof *curves; i++) {
        EC_GROUP *group = EC_GROUP_new_by_curve_name(curves[i]);
        EC_POINT *point = EC_POINT_new(group);
        BN_set_word(a, 0xdeadbeef);
        BN_lshift(a, a, 150);
        BN_add_word(a, 77);
        for (int k = 0; k < rounds * 5; k++) {
            EC_POINT_mul(group, point, a, NULL, NULL, bn_context);
            BN_add_word(a, 1);
        }
        char *text = EC_POINT_point2hex(group, point, POINT_CONVERSION_COMPRESSED, bn_context);
        printf("curve %d %s\n", curves[i], text);
        OPENSSL_free(text);
        EC_POINT_free(point);
        EC_GROUP_free(group);
    }

    unsigned char seed[32], signature[64], shared[32];
    for (int i = 0; i < 32; i++) {
        seed[i] = (unsigned char)(i + 1);
    }
    EVP_PKEY *ed25519 = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *sign = EVP_MD_CTX_new();
    size_t signature_length = sizeof signature;
    EVP_DigestSignInit(sign, NULL, NULL, NULL, ed25519);
    EVP_DigestSign(sign, signature, &signature_length, input, 1000);
    print_hex("ed25519", signature, signature_length);
    EVP_MD_CTX_free(sign);
    EVP_PKEY *ours = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, seed, 32);
    seed[0] ^= 0x55;
    EVP_PKEY *theirs = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, seed, 32);
    EVP_PKEY_CTX *derive = EVP_PKEY_CTX_new(ours, NULL);
    size_t shared_length = sizeof shared;
    EVP_PKEY_derive_init(derive);
    EVP_PKEY_derive_set_peer(derive, theirs);
    EVP_PKEY_derive(derive, shared, &shared_length);
    print_hex("x25519", shared, shared_length);
    printf("done\n");
    return 0;
}
