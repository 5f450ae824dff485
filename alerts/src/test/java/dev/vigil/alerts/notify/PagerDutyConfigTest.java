package dev.vigil.alerts.notify;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PagerDutyConfigTest {
    private static final String KEY = "0123456789abcdef0123456789ABCDEF";

    @Test
    void anInlineKeyBesideAReadableKeyFileIsRefusedNotOverwritten(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("key"), "ffffffffffffffffffffffffffffffff\n");
        assertThat(new Receiver.PagerDutyConfig(null, file, null, null).routingKey())
                .isEqualTo("ffffffffffffffffffffffffffffffff");
        InvalidValueException both = catchThrowableOfType(InvalidValueException.class,
                () -> new Receiver.PagerDutyConfig(KEY, file, null, null));
        assertThat(both).isNotNull();
        assertThat(both.field()).isEqualTo("routingKeyFile");
        assertThat(both.allowed()).contains("not both");
    }
}
