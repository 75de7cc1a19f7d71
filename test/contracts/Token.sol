// SPDX-License-Identifier: MIT
// Test token for the end-to-end tests: an OpenZeppelin ERC20 that mints the
// initial supply to the deployer.
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract Token is ERC20 {
    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20(name_, symbol_) {
        _mint(msg.sender, supply);
    }
}
