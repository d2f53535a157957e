package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium loads the status page of a three-node cluster and finds the three peers and their
 * states rendered; the screenshot is saved as {@code target/status-page.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them). Without them
 * the test is skipped, unless the environment variable {@code CKIT_REQUIRE_BROWSER} is set (as in CI), when
 * it fails.
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final InProcessApps apps = new InProcessApps();
  private ChromeDriver browser;

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    apps.close();
  }

  @Test
  void statusPageShowsThreePeersAndTheirStates() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (System.getenv("CKIT_REQUIRE_BROWSER") != null) {
      assertThat(installed).as("%s and %s are installed (apt-get install -y chromium chromium-driver)",
          CHROMIUM, CHROMEDRIVER).isTrue();
    }
    Assumptions.assumeTrue(installed, "chromium and chromedriver are not installed; skipping the browser test");

    NodeApp appA = start("--name", "node-a");
    String first = InProcessApps.address(appA);
    start("--name", "node-b", "--join", first);
    start("--name", "node-c", "--state", "viewer", "--join", first);
    Node a = appA.node();
    waitFor("node-a to see b as participant and c as viewer", () -> a.peers().size() == 3
        && a.peers().stream().filter(p -> p.state() == PeerState.PARTICIPANT).count() == 2);

    Path profile = Files.createTempDirectory("ckit-chromium-");
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--user-data-dir=" + profile, "--window-size=1000,800");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    browser = new ChromeDriver(service, options);
    browser.get("http://" + first + "/");

    waitFor("three peers rendered", () -> browser.findElements(By.cssSelector("#peers tr.peer")).size() == 3
        && !browser.findElements(By.cssSelector("#shares .bar")).isEmpty());
    List<String> rendered = new ArrayList<>();
    for (WebElement row : browser.findElements(By.cssSelector("#peers tr.peer"))) {
      List<WebElement> cells = row.findElements(By.tagName("td"));
      rendered.add(cells.get(0).getText() + " | " + cells.get(1).getText() + " | " + cells.get(2).getText());
    }
    List<String> expected = new ArrayList<>();
    for (Peer peer : a.peers()) {
      expected.add(peer.name() + (peer.self() ? " (this node)" : "") + " | " + peer.state() + " | " + peer.addr());
    }
    assertThat(rendered).containsExactlyElementsOf(expected);
    assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("participant");
    assertThat(browser.findElements(By.cssSelector("#shares .bar"))).hasSize(2);
    assertThat(browser.findElement(By.id("lamport")).getText()).matches("\\d+");

    File screenshot = browser.getScreenshotAs(OutputType.FILE);
    Path saved = Path.of("target", "status-page.png");
    Files.copy(screenshot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(saved)).isGreaterThan(1000);
  }

  private NodeApp start(String... args) throws Exception {
    return apps.start(Path.of("src", "test", "resources", "fast-gossip.json"), args);
  }
}
