/** The node's implementation: {@link io.ckit.impl.NodeImpl}, the dispatcher that calls observers on their own contexts, option parsing helpers. */
package io.ckit.impl;
