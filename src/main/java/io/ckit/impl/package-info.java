/** The node's implementation: {@link io.ckit.impl.NodeImpl}, its observer thread, option parsing helpers. */
package io.ckit.impl;
