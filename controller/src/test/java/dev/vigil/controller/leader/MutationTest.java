package dev.vigil.controller.leader;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class MutationTest {
    @Test
    void aMutationsKindIsItsNameInLowerCaseWithDashes() {
        assertThat(Mutation.kind(new Mutation.RevokeToken("t", null))).isEqualTo("revoke-token");
        assertThat(Mutation.kind(new Mutation.Report("n", null, null))).isEqualTo("report");
        assertThat(Mutation.kind(new Mutation.ResumeAutomation("why", null))).isEqualTo("resume-automation");
    }

    /** The event loop names a mutation by its kind, the wire by its type: one name for both. */
    @Test
    void everyMutationsKindIsItsTypeOnTheWire() throws ReflectiveOperationException {
        JsonSubTypes.Type[] types = Mutation.class.getAnnotation(JsonSubTypes.class).value();
        assertThat(Arrays.stream(types).map(JsonSubTypes.Type::value)).containsExactlyInAnyOrderElementsOf(
                records(Mutation.class));
        for (JsonSubTypes.Type type : types) {
            assertThat(Mutation.kind(blank(type.value()))).as(type.value().getSimpleName()).isEqualTo(type.name());
        }
    }

    /** The records a sealed type permits, through its sealed groups. */
    private static List<Class<?>> records(Class<?> sealed) {
        return Arrays.stream(sealed.getPermittedSubclasses())
                .flatMap(type -> type.isRecord() ? Stream.of(type) : records(type).stream()).toList();
    }

    /** The record with every component null, zero or false. */
    private static Mutation blank(Class<?> type) throws ReflectiveOperationException {
        Class<?>[] components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        Constructor<?> constructor = type.getDeclaredConstructor(components);
        Object[] values = Arrays.stream(components).map(c -> c == int.class ? (Object) 0
                : c == boolean.class ? (Object) false : null).toArray();
        return (Mutation) constructor.newInstance(values);
    }
}
