package io.strata.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * How the tool reads keys from the command line and shows keys and values. {@code HEX}: hex
 * digits both ways (an optional {@code 0x} accepted on input). {@code UTF8}: text both ways
 * (bytes that are not UTF-8 shown as U+FFFD). {@code AUTO}, the default: input is text unless it
 * starts with {@code 0x}; output is the text when the bytes are printable UTF-8 without control
 * characters, otherwise {@code 0x} and hex digits.
 */
enum Bytes {
  AUTO,
  HEX,
  UTF8;

  private static final HexFormat HEX_FORMAT = HexFormat.of();

  /** The bytes {@code arg} (the value of {@code option}) stands for. */
  byte[] parse(String option, String arg) {
    boolean hex = this == HEX || this == AUTO && arg.startsWith("0x");
    if (!hex) {
      return arg.getBytes(StandardCharsets.UTF_8);
    }
    return parseHex(option, arg);
  }

  static byte[] parseHex(String option, String arg) {
    String digits = arg.startsWith("0x") ? arg.substring(2) : arg;
    try {
      return HEX_FORMAT.parseHex(digits);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": \"" + arg + "\" is not hexadecimal bytes ("
          + e.getMessage() + ")");
    }
  }

  /** How {@code b} is shown (null for null). */
  String show(byte[] b) {
    if (b == null) {
      return null;
    }
    switch (this) {
      case HEX:
        return HEX_FORMAT.formatHex(b);
      case UTF8:
        return new String(b, StandardCharsets.UTF_8);
      default:
        String text = printable(b);
        return text != null ? text : "0x" + HEX_FORMAT.formatHex(b);
    }
  }

  static String hex(byte[] b) {
    return HEX_FORMAT.formatHex(b);
  }

  /** The text of {@code b} when it is UTF-8 without control characters and not "0x...". */
  private static String printable(byte[] b) {
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    if (s.startsWith("0x")) {
      return null; // would read back as hex
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return null;
      }
    }
    return s;
  }
}
