package io.ckit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

  @Test
  void aWholeNumberHasNoFractionAndLiesWithinTheBounds() {
    assertThat(JsonValues.wholeNumber(5, 0, 10)).hasValue(5);
    assertThat(JsonValues.wholeNumber(5L, 0, 10)).hasValue(5);
    assertThat(JsonValues.wholeNumber(5.0, 0, 10)).hasValue(5);
    assertThat(JsonValues.wholeNumber(new BigDecimal("5.00"), 0, 10)).hasValue(5);
    assertThat(JsonValues.wholeNumber(0, 0, 10)).hasValue(0);
    assertThat(JsonValues.wholeNumber(10, 0, 10)).hasValue(10);
    for (Object value : List.of(5.5, -1, 11, Double.NaN, Double.POSITIVE_INFINITY, "5", true)) {
      assertThat(JsonValues.wholeNumber(value, 0, 10)).as("%s", value).isEqualTo(OptionalLong.empty());
    }
    assertThat(JsonValues.wholeNumber(null, 0, 10)).isEmpty();
  }

  @Test
  void eachKindOfMistakeHasOneMessageNamingTheOption() {
    assertThat(JsonValues.integer("gossip.gossipNodes", 3.0)).isEqualTo(3);
    assertThatThrownBy(() -> JsonValues.integer("gossip.gossipNodes", 1.5))
        .hasMessage("gossip.gossipNodes: \"1.5\" is not a whole number");
    assertThatThrownBy(() -> JsonValues.integer("transport.maxFrameBytes", 3_000_000_000L))
        .hasMessage("transport.maxFrameBytes: \"3000000000\" is not a whole number");
    assertThat(JsonValues.text("name", null)).isNull();
    assertThatThrownBy(() -> JsonValues.text("name", 7)).hasMessage("name: expected text, got 7");
    assertThat(JsonValues.bool("tls.enabled", true)).isTrue();
    assertThatThrownBy(() -> JsonValues.bool("tls.enabled", "yes"))
        .hasMessage("tls.enabled: \"yes\" is not true or false");
    assertThatThrownBy(() -> JsonValues.object("tls", "x")).hasMessage("tls: expected a JSON object, got x");
  }

  @Test
  void anUnknownFieldIsRejectedWithTheKnownOnesSorted() {
    JsonValues.checkFields("gossip.", new JsonObject().put("b", 1), Set.of("b", "a"));
    assertThatThrownBy(() -> JsonValues.checkFields("gossip.", new JsonObject().put("c", 1), Set.of("b", "a")))
        .hasMessage("gossip.c: unknown option (known: a, b)");
  }

  @Test
  void readingASectionHandsOverEachFieldAndNamesItOnceInAnError() {
    List<String> read = new ArrayList<>();
    JsonValues.readFields("transport.", new JsonObject().put("a", 1).put("b", "x"), Set.of("a", "b"),
        (name, field, value) -> read.add(name + " " + field + " " + value));
    assertThat(read).containsExactly("transport.a a 1", "transport.b b x");
    assertThatThrownBy(() -> JsonValues.readFields("transport.", new JsonObject().put("c", 1), Set.of("a"),
        (name, field, value) -> read.add(name)))
        .hasMessage("transport.c: unknown option (known: a)");
    assertThatThrownBy(() -> JsonValues.readFields("transport.", new JsonObject().put("a", 0), Set.of("a"),
        (name, field, value) -> {
          throw new IllegalArgumentException("a must be at least 1, got 0");
        })).hasMessage("transport.a: a must be at least 1, got 0");
    assertThatThrownBy(() -> JsonValues.readFields("gossip.", new JsonObject().put("a", "x"), Set.of("a"),
        (name, field, value) -> JsonValues.integer(name, value)))
        .hasMessage("gossip.a: \"x\" is not a whole number");
  }
}
